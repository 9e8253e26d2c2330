//! Two wrappers that keep PostgreSQL's work per status change down: an
//! UPDATE prepared once per connection, and a row lock that takes only the
//! repair order when its dealership and customer are read in the same query.

use diesel::Expression;
use diesel::pg::Pg;
use diesel::query_builder::{AsChangeset, AstPass, Query, QueryFragment, QueryId};
use diesel::{QueryResult, RunQueryDsl};

/// An UPDATE prepared once per connection, keyed by its SQL text. Diesel's
/// own UPDATE is parsed and planned on every call (a changeset's `None`s may
/// drop columns from its SET list, so it never caches one); keyed by the
/// text, each shape of SET list gets its own statement, so that cannot go
/// wrong. Parsing and planning the RO's UPDATE was the largest statement
/// cost of a status change.
#[derive(Debug, Clone, Copy)]
pub struct PreparedUpdate<V, W, R = NoReturning> {
    table: &'static str,
    set: V,
    filter: W,
    returning: R,
}

/// `UPDATE table SET set WHERE filter`, prepared.
pub fn update<V: AsChangeset, W>(
    table: &'static str,
    set: V,
    filter: W,
) -> PreparedUpdate<V::Changeset, W> {
    PreparedUpdate {
        table,
        set: set.as_changeset(),
        filter,
        returning: NoReturning,
    }
}

impl<V, W> PreparedUpdate<V, W> {
    /// `… RETURNING expression`.
    pub fn returning<R: Expression>(self, returning: R) -> PreparedUpdate<V, W, R> {
        PreparedUpdate {
            table: self.table,
            set: self.set,
            filter: self.filter,
            returning,
        }
    }
}

/// No RETURNING clause.
#[derive(Debug, Clone, Copy)]
pub struct NoReturning;

impl<V, W, R> QueryFragment<Pg> for PreparedUpdate<V, W, R>
where
    V: QueryFragment<Pg>,
    W: QueryFragment<Pg>,
    R: ReturningClause,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("UPDATE ");
        out.push_identifier(self.table)?;
        out.push_sql(" SET ");
        self.set.walk_ast(out.reborrow())?;
        out.push_sql(" WHERE ");
        self.filter.walk_ast(out.reborrow())?;
        self.returning.walk_returning(out.reborrow())
    }
}

/// What may follow the WHERE clause: nothing, or `RETURNING expression`.
pub trait ReturningClause {
    fn walk_returning<'b>(&'b self, out: AstPass<'_, 'b, Pg>) -> QueryResult<()>;
}

impl ReturningClause for NoReturning {
    fn walk_returning<'b>(&'b self, _out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        Ok(())
    }
}

impl<R: Expression + QueryFragment<Pg>> ReturningClause for R {
    fn walk_returning<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql(" RETURNING ");
        self.walk_ast(out)
    }
}

impl<V, W, R> QueryId for PreparedUpdate<V, W, R> {
    // No static id: the cache key is the SQL text (see above).
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<V, W, R: Expression> Query for PreparedUpdate<V, W, R> {
    type SqlType = R::SqlType;
}

impl<V, W, R, C> RunQueryDsl<C> for PreparedUpdate<V, W, R> {}

/// `SELECT … FOR NO KEY UPDATE OF repair_orders`: a read that joins the RO
/// to its dealership and customer but locks only the RO row (diesel's
/// `for_update()` would lock every joined row, and every writer in the
/// dealership would queue on its one dealership row). NO KEY: the lock
/// serialises writers of the RO without blocking inserts that merely refer
/// to it (a delivery receipt's history row, say).
#[derive(Debug, Clone, Copy, QueryId)]
pub struct LockRoOnly<Q>(pub Q);

impl<Q: QueryFragment<Pg>> QueryFragment<Pg> for LockRoOnly<Q> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.0.walk_ast(out.reborrow())?;
        out.push_sql(" FOR NO KEY UPDATE OF repair_orders");
        Ok(())
    }
}

impl<Q: Query> Query for LockRoOnly<Q> {
    type SqlType = Q::SqlType;
}

impl<Q, C> RunQueryDsl<C> for LockRoOnly<Q> {}
