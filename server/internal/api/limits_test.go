package api_test

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"

	"gloss/server/internal/api"
)

// bombZip returns a zip of files .txt files of size bytes each (a
// multiple of 1 MiB), all one letter, deflated about a thousandfold. The
// deflate stream is one compressed MiB repeated (each ends byte-aligned,
// and refers only to the letters before it), so building a 100 MiB bomb
// costs a CRC, not 100 MiB of compression.
func bombZip(t *testing.T, files int, size int) []byte {
	t.Helper()
	chunk := bytes.Repeat([]byte("a"), 1<<20)
	var blk bytes.Buffer
	fw, _ := flate.NewWriter(&blk, flate.BestCompression)
	fw.Write(chunk)
	fw.Flush()
	raw := bytes.Repeat(blk.Bytes(), size/len(chunk))
	raw = append(raw, 1, 0, 0, 0xff, 0xff) // the final block: empty, stored
	crc := crc32.NewIEEE()
	for range size / len(chunk) {
		crc.Write(chunk)
	}
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for i := range files {
		w, err := zw.CreateRaw(&zip.FileHeader{Name: fmt.Sprintf("bomb%d.txt", i), Method: zip.Deflate,
			CRC32: crc.Sum32(), CompressedSize64: uint64(len(raw)), UncompressedSize64: uint64(size)})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(raw)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestImportZipBomb: a zip of ~100 KiB that inflates to 100 MiB, as one
// file or as ten, is refused with a clear error, and the server allocates
// far less than the inflated size while refusing it (it used to allocate
// gigabytes: the text, then 8 bytes per character of offset table).
func TestImportZipBomb(t *testing.T) {
	if testing.Short() {
		t.Skip("deflates 200 MiB")
	}
	f := newFixture(t)
	admin := f.as("admin")
	for _, tc := range []struct {
		name        string
		files, size int
		want        string
	}{
		{"one file", 1, 100 << 20, "bomb0.txt inflates to more than 32 MB"},
		{"ten files", 10, 10 << 20, "the zip inflates to more than 64 MB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			z := bombZip(t, tc.files, tc.size)
			if len(z) > 256<<10 {
				t.Fatalf("the bomb is %d KiB, want ≤ 256", len(z)>>10)
			}
			body, h := multipartBody(t, "machine", upload{"bomb.zip", string(z)})
			before := f.docCount()
			var m0, m1 runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&m0)
			st, data := admin.request("POST", "/api/projects/1/documents", body, h)
			runtime.ReadMemStats(&m1)
			if st != http.StatusRequestEntityTooLarge || !strings.Contains(string(data), tc.want) || !strings.Contains(string(data), `"too_large"`) {
				t.Errorf("import of a %d KiB zip bomb: %d %s, want 413 naming %q", len(z)>>10, st, data, tc.want)
			}
			if f.docCount() != before {
				t.Errorf("the refused import added documents")
			}
			// Everything allocated during the request (client, server,
			// store), not just what is live at the end.
			grew := int64(m1.TotalAlloc - m0.TotalAlloc)
			t.Logf("allocated %d KiB while refusing a %d KiB zip of %d MiB", grew>>10, len(z)>>10, tc.files*tc.size>>20)
			if grew > 50<<20 {
				t.Errorf("allocated %d MiB while refusing the zip, want < 50", grew>>20)
			}
		})
	}
}

// TestImportDocumentLimit: the configured document size is enforced for
// every way a document arrives, with 413 and the code too_large.
func TestImportDocumentLimit(t *testing.T) {
	f := newFixtureConfig(t, api.Config{MaxDocument: 1 << 10, MaxUpload: 64 << 10})
	admin := f.as("admin")
	big := strings.Repeat("Officials said. ", 100) // 1,600 bytes
	jsonl, _ := json.Marshal(map[string]string{"text": big})
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	w, _ := zw.Create("big.txt")
	w.Write([]byte(big))
	zw.Close()
	for _, tc := range []struct {
		name string
		file upload
	}{
		{"txt", upload{"big.txt", big}},
		{"jsonl", upload{"big.jsonl", string(jsonl)}},
		{"brat zip", upload{"big.zip", zb.String()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body, h := multipartBody(t, "machine", tc.file)
			st, data := admin.request("POST", "/api/projects/1/documents", body, h)
			if st != http.StatusRequestEntityTooLarge || !strings.Contains(string(data), "more than 1 KB") {
				t.Errorf("%d %s, want 413 naming the 1 KiB limit", st, data)
			}
		})
	}
	st, data := admin.do("POST", "/api/projects/1/documents", map[string]any{"documents": []map[string]string{{"text": big}}})
	if st != http.StatusRequestEntityTooLarge {
		t.Errorf("JSON import of a large document: %d %s", st, data)
	}
	small, h := multipartBody(t, "", upload{"small.txt", "Small enough."})
	if st, data := admin.request("POST", "/api/projects/1/documents", small, h); st != http.StatusCreated {
		t.Errorf("a document under the limit: %d %s", st, data)
	}
	huge, h := multipartBody(t, "", upload{"a.txt", strings.Repeat("x", 900)}, upload{"b.txt", strings.Repeat("y", 64<<10)})
	if st, data := admin.request("POST", "/api/projects/1/documents", huge, h); st != http.StatusRequestEntityTooLarge || !strings.Contains(string(data), "64 KB") {
		t.Errorf("an upload over MaxUpload: %d %s", st, data)
	}
}

// TestBombZipIsValid: the test's bomb is a real zip that inflates to
// exactly what it claims, so that the refusal above is about its size.
func TestBombZipIsValid(t *testing.T) {
	z := bombZip(t, 2, 3<<20)
	zr, err := zip.NewReader(bytes.NewReader(z), int64(len(z)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil || len(data) != 3<<20 || bytes.Count(data, []byte("a")) != len(data) {
			t.Fatalf("%s: %d bytes, %v", f.Name, len(data), err)
		}
	}
}
