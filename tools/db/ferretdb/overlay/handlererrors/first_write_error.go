package handlererrors

import "errors"

// FirstWriteError returns the code and message of err's first write error, if
// err is one. Added by tools/db/local-db.ts next to FerretDB's write.go, for
// the patched update command (overlay/msg_update.go).
func FirstWriteError(err error) (ErrorCode, string, bool) {
	var we *WriteErrors
	if !errors.As(err, &we) || len(we.errs) == 0 {
		return 0, "", false
	}

	return we.errs[0].code, we.errs[0].errmsg, true
}
