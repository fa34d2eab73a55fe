package offline

import (
	_ "embed"
	"strconv"
	"strings"
)

// wordClustersText groups 50,000 common English words by the similarity of their
// GloVe vectors (see TestBuildWordClusters): "chores", "errands" and "housework"
// share a group, as do "apologised", "regret" and "forgive", so the pattern model
// can weigh a word no training sentence used by the words it did see. The vectors'
// origin and licence are in lexicon/LICENSE-wink-embeddings.txt.
//
//go:embed lexicon/wordclusters.txt
var wordClustersText string

// wordClusters maps a lowercase word to the name of its group. Immutable after
// construction.
type wordClusters struct {
	group map[string]uint16
	names []string // the feature name of each group: its number
}

func newWordClusters(text string) *wordClusters {
	c := &wordClusters{group: make(map[string]uint16, 50000)}
	for line := range strings.SplitSeq(text, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id := uint16(len(c.names))
		c.names = append(c.names, strconv.Itoa(int(id)))
		for w := range strings.FieldsSeq(line) {
			c.group[w] = id
		}
	}
	return c
}

// of returns the group name of word w, or "" when w is in no group.
func (c *wordClusters) of(w string) string {
	if id, ok := c.group[w]; ok {
		return c.names[id]
	}
	return ""
}
