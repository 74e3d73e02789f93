// Copyright 2021 FerretDB Inc.
//
// Licensed under the Apache License, Version 2.0 (the "License");
// you may not use this file except in compliance with the License.
// You may obtain a copy of the License at
//
//     http://www.apache.org/licenses/LICENSE-2.0
//
// Unless required by applicable law or agreed to in writing, software
// distributed under the License is distributed on an "AS IS" BASIS,
// WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
// See the License for the specific language governing permissions and
// limitations under the License.

// A modified copy of FerretDB v1.24.2's internal/handler/msg_update.go, put in
// place by tools/db/local-db.ts. Upstream, the update command ignores
// `ordered`, stops at the first failing statement, reports that failure as the
// whole command's (index 0, counts of the statements before it lost), and
// numbers upserts by how many came before instead of by statement. Here, as
// in MongoDB, each failing statement is reported by its own index, an
// unordered command goes on after it, and an upsert carries its statement's
// index: batched writes (lib/db/group-commit.ts) read each statement's result.

package handler

import (
	"context"
	"fmt"

	"github.com/FerretDB/wire"

	"github.com/FerretDB/FerretDB/internal/backends"
	"github.com/FerretDB/FerretDB/internal/handler/common"
	"github.com/FerretDB/FerretDB/internal/handler/handlererrors"
	"github.com/FerretDB/FerretDB/internal/types"
	"github.com/FerretDB/FerretDB/internal/util/iterator"
	"github.com/FerretDB/FerretDB/internal/util/lazyerrors"
	"github.com/FerretDB/FerretDB/internal/util/must"
)

// MsgUpdate implements `update` command.
//
// The passed context is canceled when the client connection is closed.
func (h *Handler) MsgUpdate(connCtx context.Context, msg *wire.OpMsg) (*wire.OpMsg, error) {
	document, err := opMsgDocument(msg)
	if err != nil {
		return nil, lazyerrors.Error(err)
	}

	params, err := common.GetUpdateParams(document, h.L)
	if err != nil {
		return nil, lazyerrors.Error(err)
	}

	// MongoDB's default; the parameters struct ignores the field.
	ordered := true
	if v, _ := document.Get("ordered"); v != nil {
		if b, ok := v.(bool); ok {
			ordered = b
		}
	}

	c, err := h.updateTarget(connCtx, params)
	if err != nil {
		return nil, handleUpdateError(params.DB, params.Collection, "update", err)
	}

	var matched, modified int32
	upserted := types.MakeArray(0)
	writeErrors := types.MakeArray(0)

	for i := range params.Updates {
		result, err := updateStatement(connCtx, c, &params.Updates[i], h.DisablePushdown)
		if err != nil {
			err = handleUpdateError(params.DB, params.Collection, "update", err)

			code, errmsg, ok := handlererrors.FirstWriteError(err)
			if !ok {
				return nil, err
			}

			writeErrors.Append(must.NotFail(types.NewDocument(
				"index", int32(i),
				"code", int32(code),
				"errmsg", errmsg,
			)))

			if ordered {
				break
			}

			continue
		}

		matched += result.Matched.Count
		modified += result.Modified.Count

		if result.Upserted.Doc != nil {
			upserted.Append(must.NotFail(types.NewDocument(
				"index", int32(i),
				"_id", must.NotFail(result.Upserted.Doc.Get("_id")),
			)))

			// in case of upsert, MongoDB sets the matched count to 1
			matched++
		}
	}

	res := must.NotFail(types.NewDocument(
		"n", matched,
	))

	if upserted.Len() != 0 {
		res.Set("upserted", upserted)
	}

	res.Set("nModified", modified)

	if writeErrors.Len() != 0 {
		res.Set("writeErrors", writeErrors)
	}

	res.Set("ok", float64(1))

	return documentOpMsg(
		res,
	)
}

// updateTarget returns the collection the update command writes to, creating it if needed.
func (h *Handler) updateTarget(ctx context.Context, params *common.UpdateParams) (backends.Collection, error) {
	db, err := h.b.Database(params.DB)
	if err != nil {
		if backends.ErrorCodeIs(err, backends.ErrorCodeDatabaseNameIsInvalid) {
			msg := fmt.Sprintf("Invalid namespace specified '%s.%s'", params.DB, params.Collection)
			return nil, handlererrors.NewCommandErrorMsgWithArgument(handlererrors.ErrInvalidNamespace, msg, "update")
		}

		return nil, lazyerrors.Error(err)
	}

	err = db.CreateCollection(ctx, &backends.CreateCollectionParams{Name: params.Collection})

	switch {
	case err == nil:
		// nothing
	case backends.ErrorCodeIs(err, backends.ErrorCodeCollectionAlreadyExists):
		// nothing
	case backends.ErrorCodeIs(err, backends.ErrorCodeCollectionNameIsInvalid):
		msg := fmt.Sprintf("Invalid collection name: %s", params.Collection)
		return nil, handlererrors.NewCommandErrorMsgWithArgument(handlererrors.ErrInvalidNamespace, msg, "insert")
	default:
		return nil, lazyerrors.Error(err)
	}

	c, err := db.Collection(params.Collection)
	if err != nil {
		if backends.ErrorCodeIs(err, backends.ErrorCodeCollectionNameIsInvalid) {
			msg := fmt.Sprintf("Invalid collection name: %s", params.Collection)
			return nil, handlererrors.NewCommandErrorMsgWithArgument(handlererrors.ErrInvalidNamespace, msg, "insert")
		}

		return nil, lazyerrors.Error(err)
	}

	return c, nil
}

// updateStatement applies one statement of an update command.
func updateStatement(ctx context.Context, c backends.Collection, u *common.Update, disablePushdown bool) (*common.UpdateResult, error) {
	var qp backends.QueryParams
	if !disablePushdown {
		qp.Filter = u.Filter
	}

	res, err := c.Query(ctx, &qp)
	if err != nil {
		return nil, lazyerrors.Error(err)
	}

	closer := iterator.NewMultiCloser()
	defer closer.Close()

	closer.Add(res.Iter)

	iter := common.FilterIterator(res.Iter, closer, u.Filter)

	if !u.Multi {
		iter = common.LimitIterator(iter, closer, 1)
	}

	result, err := common.UpdateDocument(ctx, c, "update", iter, u)
	if err != nil {
		return nil, lazyerrors.Error(err)
	}

	return result, nil
}
