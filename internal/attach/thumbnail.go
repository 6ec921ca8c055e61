package attach

import (
	"bytes"
	"context"
	"encoding/binary"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"

	"golang.org/x/image/bmp"
	"golang.org/x/image/draw"

	"github.com/sodam-chat/sodam/internal/blob"
	"github.com/sodam-chat/sodam/internal/chat"
)

// ThumbnailSide is the longest side of a thumbnail, in pixels.
const ThumbnailSide = 320

// MaxPixels bounds the images Sodam decodes for a thumbnail: a few hundred
// bytes of PNG can claim a billion pixels (a decompression bomb), and
// decoding holds every pixel in memory. Larger images are kept, without
// a thumbnail.
const MaxPixels = 50_000_000

// decoding lets one image decode at a time per node, so that concurrent
// uploads cannot add up the memory each decode takes.
var decoding = make(chan struct{}, 1)

// ThumbnailType is the content type of the thumbnail of an image of
// contentType: PNG keeps the transparency of PNG and GIF, JPEG suits
// photographs.
func ThumbnailType(contentType string) string {
	if contentType == "image/png" || contentType == "image/gif" {
		return "image/png"
	}
	return "image/jpeg"
}

// addThumbnail reads the stored image, records its size and stores a
// thumbnail beside it. An image that cannot be decoded (or is too large
// to) stays a plain file: only storage errors are returned.
func addThumbnail(ctx context.Context, files blob.Store, a *chat.Attachment) error {
	f, err := files.Open(ctx, a.BlobKey)
	if err != nil {
		return err
	}
	defer f.Close()
	thumb, w, h, ok := makeThumbnail(ctx, f, a.ContentType)
	if w > 0 {
		a.Width, a.Height = w, h
	}
	if !ok {
		return nil
	}
	key := a.BlobKey + ".thumb"
	if _, err := files.Put(ctx, key, bytes.NewReader(thumb)); err != nil {
		return err
	}
	a.ThumbnailKey, a.Thumbnail = key, true
	return nil
}

// decoders by content type; only the formats the image kind allows.
var decoders = map[string]struct {
	config func(io.Reader) (image.Config, error)
	decode func(io.Reader) (image.Image, error)
}{
	"image/jpeg": {jpeg.DecodeConfig, jpeg.Decode},
	"image/png":  {png.DecodeConfig, png.Decode},
	"image/gif":  {gif.DecodeConfig, gif.Decode}, // the first frame
	"image/bmp":  {bmp.DecodeConfig, bmp.Decode},
}

// makeThumbnail returns the encoded thumbnail of the image in r and the
// image's size as shown (turned as its EXIF orientation says); ok is false
// when there is no thumbnail, w and h are 0 when the size is unknown.
func makeThumbnail(ctx context.Context, r io.ReadSeeker, contentType string) (thumb []byte, w, h int, ok bool) {
	dec, known := decoders[contentType]
	if !known {
		return nil, 0, 0, false
	}
	cfg, err := dec.config(r)
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, 0, 0, false
	}
	orientation := 1
	if contentType == "image/jpeg" {
		if _, err := r.Seek(0, io.SeekStart); err == nil {
			orientation = exifOrientation(r)
		}
	}
	w, h = cfg.Width, cfg.Height
	if orientation >= 5 {
		w, h = h, w
	}
	// The bomb check, before a single pixel is decoded.
	if int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return nil, w, h, false
	}
	select {
	case decoding <- struct{}{}:
		defer func() { <-decoding }()
	case <-ctx.Done():
		return nil, w, h, false
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return nil, w, h, false
	}
	src, err := dec.decode(r)
	if err != nil {
		return nil, w, h, false
	}
	tw, th := fit(cfg.Width, cfg.Height, ThumbnailSide)
	dst := image.NewRGBA(image.Rect(0, 0, tw, th))
	draw.BiLinear.Scale(dst, dst.Bounds(), src, src.Bounds(), draw.Src, nil)
	out := orient(dst, orientation)
	var buf bytes.Buffer
	if ThumbnailType(contentType) == "image/png" {
		err = png.Encode(&buf, out)
	} else {
		err = jpeg.Encode(&buf, out, &jpeg.Options{Quality: 82})
	}
	if err != nil {
		return nil, w, h, false
	}
	return buf.Bytes(), w, h, true
}

// fit scales w×h down so that its longest side is at most side.
func fit(w, h, side int) (int, int) {
	if w <= side && h <= side {
		return w, h
	}
	if w >= h {
		return side, max(1, h*side/w)
	}
	return max(1, w*side/h), side
}

// orient turns an image as its EXIF orientation (1–8) says it is meant to
// be seen: phone cameras store photos sideways and say so in the tag.
func orient(src *image.RGBA, orientation int) image.Image {
	if orientation <= 1 || orientation > 8 {
		return src
	}
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	dw, dh := w, h
	if orientation >= 5 {
		dw, dh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var dx, dy int
			switch orientation {
			case 2: // mirrored
				dx, dy = w-1-x, y
			case 3: // upside down
				dx, dy = w-1-x, h-1-y
			case 4: // mirrored upside down
				dx, dy = x, h-1-y
			case 5: // mirrored, turned
				dx, dy = y, x
			case 6: // turned clockwise to be seen
				dx, dy = h-1-y, x
			case 7:
				dx, dy = h-1-y, w-1-x
			case 8: // turned anticlockwise to be seen
				dx, dy = y, w-1-x
			}
			dst.SetRGBA(dx, dy, src.RGBAAt(b.Min.X+x, b.Min.Y+y))
		}
	}
	return dst
}

// exifOrientation reads the orientation tag of a JPEG's EXIF segment, or
// 1 (as stored) when there is none. It reads the markers before the image
// data only, at most 64 KiB each.
func exifOrientation(r io.Reader) int {
	var marker [4]byte
	if _, err := io.ReadFull(r, marker[:2]); err != nil || marker[0] != 0xff || marker[1] != 0xd8 {
		return 1
	}
	for range 32 {
		if _, err := io.ReadFull(r, marker[:]); err != nil || marker[0] != 0xff {
			return 1
		}
		kind, size := marker[1], int(binary.BigEndian.Uint16(marker[2:]))-2
		if kind == 0xda || size < 0 { // the image data starts: no EXIF
			return 1
		}
		seg := make([]byte, size)
		if _, err := io.ReadFull(r, seg); err != nil {
			return 1
		}
		if kind == 0xe1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")) {
			return tiffOrientation(seg[6:])
		}
	}
	return 1
}

// tiffOrientation finds tag 0x0112 in the first IFD of a TIFF structure.
func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 1
	}
	var order binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		order = binary.LittleEndian
	case "MM":
		order = binary.BigEndian
	default:
		return 1
	}
	ifd := int(order.Uint32(t[4:8]))
	if ifd < 8 || ifd+2 > len(t) {
		return 1
	}
	n := int(order.Uint16(t[ifd:]))
	for i := range n {
		e := ifd + 2 + 12*i
		if e+12 > len(t) {
			return 1
		}
		if order.Uint16(t[e:]) == 0x0112 {
			if v := int(order.Uint16(t[e+8:])); v >= 1 && v <= 8 {
				return v
			}
			return 1
		}
	}
	return 1
}
