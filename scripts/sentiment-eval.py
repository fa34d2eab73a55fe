#!/usr/bin/env python3
"""Tiny, stdlib-only harness for the VADER (Hutto & Gilbert, ICWSM 2014) ground-truth corpora.

Usage:
    python3 scripts/sentiment-eval.py --cmd "./bin/resonant analyze --format=score" [--data-dir DIR] [--files FILE ...]
                    [--band 0.05] [--json results.json] [--dump-dir DIR]

The command under test is run ONCE PER FILE.  It gets every text of that file on
stdin, one per line (UTF-8, '\n'-terminated, texts contain no newlines/tabs), and must
print exactly one float per line on stdout, in [-1, 1], same order.

Per file it reports:
  * n, Pearson r and Spearman rho between the model score and the human mean rating
  * 3-class accuracy, macro-F1 and weighted-F1 (also weighted P/R, which is what the
    paper's "Overall" P/R/F1 columns most likely are, sklearn-2014 "avg / total" style)
Model classes: score >= +band -> pos, score <= -band -> neg, else neu
(VADER README convention, band = 0.05).
Human classes, two conventions (both always reported):
  * "sign":  mean > 0 -> pos, mean < 0 -> neg, mean == 0 -> neu
  * "norm":  mean/4 (so in [-1,1]) classified with the same +-band rule as the model,
             i.e. |mean| < 0.2 -> neu for band 0.05.  (Paper sec. 4: "classification
             thresholds set at -0.05 and +0.05 for all normalized sentiment scores
             between -1 and 1"; it does not say explicitly how ground truth was binned.)
"""
import argparse
import json
import math
import os
import shlex
import subprocess
import sys

FILES = {
    "tweets": "tweets_GroundTruth.txt",
    "movie": "movieReviewSnippets_GroundTruth.txt",
    "amazon": "amazonReviewSnippets_GroundTruth.txt",
    "nyt": "nytEditorialSnippets_GroundTruth.txt",
}
CLASSES = ("neg", "neu", "pos")


def load(path):
    ids, gold, texts = [], [], []
    with open(path, encoding="utf-8-sig") as f:
        for ln, line in enumerate(f.read().splitlines(), 1):
            if not line.strip():
                continue
            parts = line.split("\t")
            if len(parts) < 3:
                raise SystemExit(f"{path}:{ln}: expected ID<TAB>MEAN<TAB>TEXT")
            ids.append(parts[0])
            gold.append(float(parts[1]))
            texts.append("\t".join(parts[2:]).replace("\r", " ").replace("\n", " "))
    return ids, gold, texts


def run_model(cmd, texts, timeout):
    inp = "".join(t + "\n" for t in texts)
    p = subprocess.run(cmd, shell=True, input=inp.encode("utf-8"),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    if p.returncode != 0:
        sys.stderr.write(p.stderr.decode("utf-8", "replace")[-2000:])
        raise SystemExit(f"command failed with rc={p.returncode}: {cmd}")
    lines = p.stdout.decode("utf-8").splitlines()
    if len(lines) != len(texts):
        raise SystemExit(f"command printed {len(lines)} lines for {len(texts)} inputs: {cmd}")
    scores = []
    for i, s in enumerate(lines):
        v = float(s.strip())
        if math.isnan(v) or v < -1.0 - 1e-9 or v > 1.0 + 1e-9:
            raise SystemExit(f"line {i + 1}: score {s!r} not in [-1, 1]")
        scores.append(v)
    return scores


def pearson(x, y):
    n = len(x)
    mx, my = sum(x) / n, sum(y) / n
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y))
    sxx = sum((a - mx) ** 2 for a in x)
    syy = sum((b - my) ** 2 for b in y)
    if sxx == 0 or syy == 0:
        return float("nan")
    return sxy / math.sqrt(sxx * syy)


def ranks(v):
    order = sorted(range(len(v)), key=lambda i: v[i])
    r = [0.0] * len(v)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and v[order[j + 1]] == v[order[i]]:
            j += 1
        avg = (i + j) / 2.0 + 1
        for k in range(i, j + 1):
            r[order[k]] = avg
        i = j + 1
    return r


def classify(v, band):
    return "pos" if v >= band else ("neg" if v <= -band else "neu")


def cls_metrics(gold, pred):
    n = len(gold)
    conf = {g: {p: 0 for p in CLASSES} for g in CLASSES}
    for g, p in zip(gold, pred):
        conf[g][p] += 1
    per = {}
    for c in CLASSES:
        tp = conf[c][c]
        fp = sum(conf[g][c] for g in CLASSES if g != c)
        fn = sum(conf[c][p] for p in CLASSES if p != c)
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        per[c] = {"p": prec, "r": rec, "f1": f1, "support": tp + fn}
    present = [c for c in CLASSES if per[c]["support"] > 0]
    acc = sum(conf[c][c] for c in CLASSES) / n
    # macro over classes present in gold (a class absent from gold is excluded)
    macro_f1 = sum(per[c]["f1"] for c in present) / len(present)
    w = lambda key: sum(per[c][key] * per[c]["support"] for c in CLASSES) / n
    return {"acc": acc, "macro_f1": macro_f1, "weighted_p": w("p"), "weighted_r": w("r"),
            "weighted_f1": w("f1"), "per_class": per, "confusion": conf,
            "gold_dist": {c: per[c]["support"] for c in CLASSES}}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cmd", required=True, help="shell command: texts on stdin -> scores on stdout")
    ap.add_argument("--data-dir", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "data"))
    ap.add_argument("--files", nargs="*", default=list(FILES), help="keys (" + " ".join(FILES) + ") or paths to ID<TAB>MEAN<TAB>TEXT files")
    ap.add_argument("--band", type=float, default=0.05, help="neutral band half-width on the [-1,1] scale")
    ap.add_argument("--timeout", type=float, default=1800)
    ap.add_argument("--json", help="write full results (incl. per-class, confusion) here")
    ap.add_argument("--dump-dir", help="write per-item id<TAB>gold<TAB>score<TAB>text TSVs here")
    a = ap.parse_args()

    results = {}
    hdr = f"{'file':14} {'n':>6} {'pearson':>8} {'spearman':>8} | {'truth':5} {'acc':>6} {'macroF1':>7} {'wP':>5} {'wR':>5} {'wF1':>5}  gold(neg/neu/pos) pred(neg/neu/pos)"
    print(f"# cmd: {a.cmd}\n# band: +-{a.band}\n{hdr}")
    for key in a.files:
        path = os.path.join(a.data_dir, FILES[key]) if key in FILES else (
            key if os.path.exists(key) else os.path.join(a.data_dir, key))
        ids, gold, texts = load(path)
        key = key if key in FILES else os.path.basename(key).replace("_GroundTruth.txt", "")
        scores = run_model(a.cmd, texts, a.timeout)
        r = pearson(scores, gold)
        rho = pearson(ranks(scores), ranks(gold))
        pred = [classify(s, a.band) for s in scores]
        pd = {c: pred.count(c) for c in CLASSES}
        res = {"n": len(gold), "pearson": r, "spearman": rho, "pred_dist": pd}
        for conv in ("sign", "norm"):
            if conv == "sign":
                g = ["pos" if m > 0 else ("neg" if m < 0 else "neu") for m in gold]
            else:
                g = [classify(m / 4.0, a.band) for m in gold]
            m = cls_metrics(g, pred)
            res[conv] = m
            gdist = "/".join(str(m["gold_dist"][c]) for c in CLASSES)
            pdist = "/".join(str(pd[c]) for c in CLASSES)
            print(f"{key[:14]:14} {len(gold):6d} {r:8.3f} {rho:8.3f} | {conv:5} {m['acc']:6.3f} {m['macro_f1']:7.3f} "
                  f"{m['weighted_p']:5.2f} {m['weighted_r']:5.2f} {m['weighted_f1']:5.2f}  {gdist:17} {pdist}")
        results[key] = res
        if a.dump_dir:
            os.makedirs(a.dump_dir, exist_ok=True)
            with open(os.path.join(a.dump_dir, key + ".tsv"), "w", encoding="utf-8") as f:
                for i, gm, s, t in zip(ids, gold, scores, texts):
                    f.write(f"{i}\t{gm}\t{s:.4f}\t{t}\n")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"cmd": a.cmd, "band": a.band, "results": results}, f, indent=1)


if __name__ == "__main__":
    main()
