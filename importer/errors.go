package importer

import (
	"errors"
	"fmt"
	"unicode"
	"unicode/utf8"

	"github.com/tribune-go/tribune"
)

// FileError is a file that cannot be read: malformed, or not in its
// format. Line, when known, is where the problem is.
type FileError struct {
	File string
	Line int
	Err  error
}

func (e *FileError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.File, e.Err)
}

func (e *FileError) Unwrap() error { return e.Err }

func fileError(file string, err error) error {
	var fe *FileError
	if errors.As(err, &fe) {
		if fe.File == "" {
			fe.File = file
		}
		return fe
	}
	var le *lineError
	if errors.As(err, &le) {
		return &FileError{File: file, Line: le.line, Err: le.err}
	}
	var oe *offsetError
	if errors.As(err, &oe) {
		return &FileError{File: file, Line: lineAt(file, oe.offset), Err: oe.err}
	}
	return &FileError{File: file, Err: err}
}

// lineAt is the line of a byte offset of a file (gunzipped).
func lineAt(path string, offset int64) int {
	f, err := openFile(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	line := 1
	for i := int64(0); i < offset; i++ {
		b, err := f.ReadByte()
		if err != nil {
			break
		}
		if b == '\n' {
			line++
		}
	}
	return line
}

// lineError is a reader's error at a line.
type lineError struct {
	line int
	err  error
}

func (e *lineError) Error() string { return fmt.Sprintf("line %d: %v", e.line, e.err) }

func (e *lineError) Unwrap() error { return e.err }

// whichCharacter says which character a refusal of a field is about, for
// notes: ", the name's U+202E at byte 4". Empty when the refusal is
// about no one character.
func whichCharacter(sc *Comment, err error) string {
	var ve *tribune.ValidationError
	if !errors.As(err, &ve) {
		return ""
	}
	for _, fe := range ve.Fields {
		if fe.Code != tribune.CodeInvisible && fe.Code != tribune.CodeControl && fe.Code != tribune.CodeInvalidUTF8 {
			continue
		}
		var v string
		switch fe.Field {
		case tribune.FieldName:
			v = sc.Author
		case tribune.FieldEmail:
			v = sc.Email
		case tribune.FieldWebsite:
			v = sc.Website
		case tribune.FieldBody:
			v = sc.Body
		default:
			continue
		}
		for i, r := range v {
			switch {
			case r == utf8.RuneError:
				return fmt.Sprintf(", the %s's byte %#x at byte %d (not UTF-8)", fe.Field, v[i], i)
			case unicode.IsControl(r) && r != '\n' && r != '\t' || unicode.Is(unicode.Cf, r) ||
				unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r) || unicode.Is(unicode.Variation_Selector, r) || r == '\u2800':
				return fmt.Sprintf(", the %s's %U at byte %d", fe.Field, r, i)
			}
		}
	}
	return ""
}
