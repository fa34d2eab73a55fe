package accounts

import (
	"strings"
	"testing"
)

func TestDefaultPasswordParamsMeetTheMinimum(t *testing.T) {
	p := DefaultPasswordParams
	if p.MemoryKiB < 19*1024 || p.Time < 2 || p.Threads < 1 || p.SaltLen < 16 || p.KeyLen < 32 {
		t.Fatalf("DefaultPasswordParams = %+v, below argon2id m=19MiB t=2", p)
	}
	h, err := HashPassword("correct horse battery", p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q is not a PHC argon2id string with the default parameters", h)
	}
}

func TestVerifyPasswordAcceptsOnlyTheRightPassword(t *testing.T) {
	p := PasswordParams{MemoryKiB: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
	h, err := HashPassword("correct horse battery", p)
	if err != nil {
		t.Fatal(err)
	}
	h2, _ := HashPassword("correct horse battery", p)
	if h == h2 {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
	for pw, want := range map[string]bool{"correct horse battery": true, "correct horse batterY": false, "": false} {
		if ok, err := VerifyPassword(pw, h); err != nil || ok != want {
			t.Errorf("VerifyPassword(%q) = %v, %v; want %v", pw, ok, err, want)
		}
	}
	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=64,t=1,p=1$c2FsdA$a2V5", "$argon2id$v=18$m=64,t=1,p=1$c2FsdA$a2V5", "$argon2id$v=19$m=64,t=1,p=1$!!$a2V5"} {
		if _, err := VerifyPassword("x", bad); err == nil {
			t.Errorf("VerifyPassword accepted malformed hash %q", bad)
		}
	}
}

func TestWeakerHashesNeedRehash(t *testing.T) {
	weak, _ := HashPassword("pw", PasswordParams{MemoryKiB: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32})
	if !needsRehash(weak, DefaultPasswordParams) {
		t.Error("a 64 KiB hash does not need a rehash under the defaults")
	}
	if needsRehash(weak, PasswordParams{MemoryKiB: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}) {
		t.Error("a hash with the current parameters needs a rehash")
	}
}

func BenchmarkHashPasswordDefault(b *testing.B) {
	for b.Loop() {
		if _, err := HashPassword("correct horse battery", DefaultPasswordParams); err != nil {
			b.Fatal(err)
		}
	}
}
