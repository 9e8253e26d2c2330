//! Wrappers that keep PostgreSQL's work per status change down: an UPDATE
//! prepared once per connection (alone or with an INSERT), and a row lock
//! that takes only the repair order when its dealership and customer are
//! read in the same query.

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
pub struct PreparedUpdate<V, W> {
    table: &'static str,
    set: V,
    filter: W,
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
    }
}

impl<V, W> QueryFragment<Pg> for PreparedUpdate<V, W>
where
    V: QueryFragment<Pg>,
    W: QueryFragment<Pg>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("UPDATE ");
        out.push_identifier(self.table)?;
        out.push_sql(" SET ");
        self.set.walk_ast(out.reborrow())?;
        out.push_sql(" WHERE ");
        self.filter.walk_ast(out)
    }
}

impl<V, W> QueryId for PreparedUpdate<V, W> {
    // No static id: the cache key is the SQL text (see above).
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<V, W, C> RunQueryDsl<C> for PreparedUpdate<V, W> {}

/// `WITH written AS (insert) update`: an INSERT that rides along with an
/// UPDATE, in one round trip; prepared like the UPDATE (keyed by SQL text).
/// The statement's row count is the UPDATE's.
#[derive(Debug, Clone, Copy)]
pub struct WithInsert<I, U> {
    insert: I,
    update: U,
}

pub fn with_insert<I, U>(insert: I, update: U) -> WithInsert<I, U> {
    WithInsert { insert, update }
}

impl<I: QueryFragment<Pg>, U: QueryFragment<Pg>> QueryFragment<Pg> for WithInsert<I, U> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("WITH written AS (");
        self.insert.walk_ast(out.reborrow())?;
        out.push_sql(") ");
        self.update.walk_ast(out)
    }
}

impl<I, U> QueryId for WithInsert<I, U> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<I, U, C> RunQueryDsl<C> for WithInsert<I, U> {}

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

/// A column given as fixed SQL text, of type `ST` (PostgreSQL). Diesel's
/// `sql()` marks its whole statement unsafe to prepare, so the statement is
/// parsed and planned on every call; a fixed text is safe to prepare, and
/// the statement's cache key is its text as with the wrappers above.
#[derive(Debug, Clone, Copy)]
pub struct FixedSql<ST> {
    text: &'static str,
    sql_type: std::marker::PhantomData<ST>,
}

pub fn fixed_sql<ST>(text: &'static str) -> FixedSql<ST> {
    FixedSql {
        text,
        sql_type: std::marker::PhantomData,
    }
}

impl<ST: diesel::sql_types::SqlType + diesel::expression::TypedExpressionType> diesel::Expression
    for FixedSql<ST>
{
    type SqlType = ST;
}

impl<ST, GB> diesel::expression::ValidGrouping<GB> for FixedSql<ST> {
    type IsAggregate = diesel::expression::is_aggregate::Never;
}

impl<ST, QS> diesel::AppearsOnTable<QS> for FixedSql<ST> where Self: diesel::Expression {}

impl<ST, QS> diesel::SelectableExpression<QS> for FixedSql<ST> where Self: diesel::Expression {}

impl<ST> QueryId for FixedSql<ST> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<ST> QueryFragment<Pg> for FixedSql<ST> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql(self.text);
        Ok(())
    }
}

/// A statement built in one place whose text is the same on every call
/// (no `None` drops a column, no clause is optional), cached under the
/// marker type `M`. Keyed by its text, diesel rebuilt the whole SQL on
/// every call just to find the prepared statement: for the lock statement
/// and the outbox write that was 8% of the service's CPU per status change.
/// Each marker names one call site; two shapes under one marker would run
/// each other's statement, so a marker is private to its call site.
pub struct FixedShape<Q, M> {
    query: Q,
    marker: std::marker::PhantomData<M>,
}

/// `query`, whose text never varies, cached under `M`.
pub fn fixed_shape<M, Q>(query: Q) -> FixedShape<Q, M> {
    FixedShape {
        query,
        marker: std::marker::PhantomData,
    }
}

impl<Q: QueryFragment<Pg>, M> QueryFragment<Pg> for FixedShape<Q, M> {
    fn walk_ast<'b>(&'b self, out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.query.walk_ast(out)
    }
}

impl<Q, M: 'static> QueryId for FixedShape<Q, M> {
    type QueryId = M;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl<Q: Query, M> Query for FixedShape<Q, M> {
    type SqlType = Q::SqlType;
}

impl<Q, M, C> RunQueryDsl<C> for FixedShape<Q, M> {}
