//! Transaction plumbing shared by the store's writes: why a transaction aborted,
//! reading a record inside one, and turning the outcome back into store results.

use serde::de::DeserializeOwned;
use sled::transaction::{ConflictableTransactionError, TransactionError, TransactionalTree};

use super::{StoreError, decode};

/// Why a transaction stopped: the caller's refusal `R`, or a record that did not read.
pub(super) enum Abort<R> {
    Refused(R),
    Corrupt(StoreError),
}

pub(super) type TxResult<T, R> = Result<T, ConflictableTransactionError<Abort<R>>>;

/// Aborts the transaction with `refusal`.
pub(super) fn refuse<T, R>(refusal: R) -> TxResult<T, R> {
    Err(ConflictableTransactionError::Abort(Abort::Refused(refusal)))
}

/// Reads and decodes the record at `key` of `tree` (named `name` in errors).
pub(super) fn read<T: DeserializeOwned, R>(
    tree: &TransactionalTree,
    name: &'static str,
    key: &[u8],
) -> TxResult<Option<T>, R> {
    match tree.get(key)? {
        None => Ok(None),
        Some(bytes) => decode(name, &bytes)
            .map(Some)
            .map_err(|error| ConflictableTransactionError::Abort(Abort::Corrupt(error))),
    }
}

/// The transaction's value, or the refusal that stopped it; storage failures as errors.
pub(super) fn finish<T, R>(
    result: Result<T, TransactionError<Abort<R>>>,
) -> Result<Result<T, R>, StoreError> {
    match result {
        Ok(value) => Ok(Ok(value)),
        Err(TransactionError::Abort(Abort::Refused(refusal))) => Ok(Err(refusal)),
        Err(TransactionError::Abort(Abort::Corrupt(error))) => Err(error),
        Err(TransactionError::Storage(error)) => Err(error.into()),
    }
}
