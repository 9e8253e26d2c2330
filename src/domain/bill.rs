//! The bill, computed in one place: jobs and their lines, what warranty and
//! the dealership cover, the shop-supplies fee, discounts, and the tax on
//! what is taxable where the dealership is.
//!
//! Rules: a line's amount is quantity × unit price rounded to the cent; a
//! job's discount comes off that job (never below zero); the shop-supplies
//! fee is a percentage of customer-pay labor, at most its cap, shown as its
//! own line; the RO's discount comes off the rest (never below zero); tax is
//! computed once, on the sum of the taxable customer-pay amounts (each
//! discount taking its share off the taxable part), rounded half away from
//! zero. Warranty and internal jobs are shown, never billed. Two sums are
//! kept: what the customer pays if they approve everything still pending,
//! and what they owe for what they approved.

use super::estimate::{Approval, LineKind, PayType};
use super::money::{Cents, TaxRate, div_round_half_away};
use super::validation::Invalid;
use std::fmt;
use std::str::FromStr;

/// Which kinds of line the dealership's state taxes. Stored as their names,
/// comma-separated ("labor,part,fee,sublet").
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    diesel::expression::AsExpression,
    diesel::deserialize::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub struct TaxableKinds(u8);

impl TaxableKinds {
    pub const ALL: Self = Self(0b1111);

    fn bit(kind: LineKind) -> u8 {
        match kind {
            LineKind::Labor => 1,
            LineKind::Part => 2,
            LineKind::Fee => 4,
            LineKind::Sublet => 8,
        }
    }

    pub fn from_kinds(kinds: &[LineKind]) -> Self {
        Self(kinds.iter().fold(0, |bits, k| bits | Self::bit(*k)))
    }

    pub fn contains(self, kind: LineKind) -> bool {
        self.0 & Self::bit(kind) != 0
    }

    pub fn kinds(self) -> Vec<LineKind> {
        LineKind::ALL
            .iter()
            .copied()
            .filter(|k| self.contains(*k))
            .collect()
    }
}

impl Default for TaxableKinds {
    fn default() -> Self {
        Self::ALL
    }
}

impl fmt::Display for TaxableKinds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.kinds().iter().map(|k| k.as_str()).collect();
        f.write_str(&names.join(","))
    }
}

impl FromStr for TaxableKinds {
    type Err = Invalid;

    fn from_str(raw: &str) -> Result<Self, Invalid> {
        let kinds = raw
            .split(',')
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(LineKind::parse)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self::from_kinds(&kinds))
    }
}

/// The shop-supplies fee: a percentage (basis points) of customer-pay labor,
/// at most `cap`. A rate of zero means no fee.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ShopSupplies {
    pub rate_bp: u32,
    pub cap: Cents,
}

impl ShopSupplies {
    /// 0 to 20 % of labor, capped at 0 to $500.
    pub fn parse(rate_bp: i64, cap_cents: i64) -> Result<Self, Invalid> {
        if !(0..=2_000).contains(&rate_bp) {
            return Err(Invalid::new(
                "must be between 0 and 2000 basis points (0 % to 20 % of labor)",
            ));
        }
        if !(0..=50_000).contains(&cap_cents) {
            return Err(Invalid::new(
                "the cap must be between 0 and 50000 cents ($500.00)",
            ));
        }
        if rate_bp > 0 && cap_cents == 0 {
            return Err(Invalid::new("a shop-supplies fee needs a cap"));
        }
        Ok(Self {
            rate_bp: rate_bp as u32,
            cap: Cents(cap_cents),
        })
    }

    fn on(self, labor: Cents) -> Cents {
        let fee = Cents(div_round_half_away(
            i128::from(labor.0) * i128::from(self.rate_bp),
            10_000,
        ));
        fee.min(self.cap)
    }
}

/// The rules an estimate is written under: kept with the RO, so a rate the
/// dealership changes later does not change a bill already given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaxRules {
    pub rate: TaxRate,
    pub taxable: TaxableKinds,
    pub shop_supplies: ShopSupplies,
}

/// One line as the bill needs it.
#[derive(Debug, Clone, Copy)]
pub struct PricedLine {
    pub kind: LineKind,
    pub amount: Cents,
}

/// One job as the bill needs it.
#[derive(Debug, Clone)]
pub struct PricedJob {
    pub pay_type: PayType,
    pub approval: Approval,
    pub discount: Cents,
    pub lines: Vec<PricedLine>,
}

impl PricedJob {
    /// The sum of its lines.
    pub fn gross(&self) -> Cents {
        self.lines.iter().map(|l| l.amount).sum()
    }

    /// The discount as applied: never more than the lines.
    pub fn discount_applied(&self) -> Cents {
        self.discount.min(self.gross()).max(Cents::ZERO)
    }

    /// The lines less the discount.
    pub fn subtotal(&self) -> Cents {
        self.gross() - self.discount_applied()
    }

    fn of(&self, keep: impl Fn(LineKind) -> bool) -> Cents {
        self.lines
            .iter()
            .filter(|l| keep(l.kind))
            .map(|l| l.amount)
            .sum()
    }

    /// The taxable part, after the discount took its share of it.
    fn taxable(&self, kinds: TaxableKinds) -> Cents {
        let taxable = self.of(|k| kinds.contains(k));
        taxable - share(self.discount_applied(), taxable, self.gross())
    }
}

/// `whole × part / of`, rounded half away from zero (zero when `of` is).
fn share(whole: Cents, part: Cents, of: Cents) -> Cents {
    if of.0 == 0 {
        return Cents::ZERO;
    }
    Cents(div_round_half_away(
        i128::from(whole.0) * i128::from(part.0),
        i128::from(of.0),
    ))
}

/// The customer's bill over some of the jobs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Scope {
    /// Job subtotals + shop supplies − the RO's discount.
    pub subtotal: Cents,
    pub shop_supplies: Cents,
    /// The RO's discount as applied (job discounts are in the job subtotals).
    pub ro_discount: Cents,
    /// What tax is computed on.
    pub taxable: Cents,
    pub tax: Cents,
    /// subtotal + tax.
    pub total: Cents,
}

fn scope<'a>(
    jobs: impl Iterator<Item = &'a PricedJob> + Clone,
    rules: &TaxRules,
    ro_discount: Cents,
) -> Scope {
    let goods: Cents = jobs.clone().map(PricedJob::subtotal).sum();
    let labor: Cents = jobs.clone().map(|j| j.of(|k| k == LineKind::Labor)).sum();
    let shop_supplies = rules.shop_supplies.on(labor);
    let before = goods + shop_supplies;
    let ro_discount = ro_discount.min(before).max(Cents::ZERO);
    let supplies_taxed = if rules.taxable.contains(LineKind::Fee) {
        shop_supplies
    } else {
        Cents::ZERO
    };
    let taxable_before = jobs.map(|j| j.taxable(rules.taxable)).sum::<Cents>() + supplies_taxed;
    let taxable = taxable_before - share(ro_discount, taxable_before, before);
    let subtotal = before - ro_discount;
    let tax = rules.rate.tax_on(taxable);
    Scope {
        subtotal,
        shop_supplies,
        ro_discount,
        taxable,
        tax,
        total: subtotal + tax,
    }
}

/// Every figure on the bill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Totals {
    /// If the customer approves every job still waiting for them.
    pub proposed: Scope,
    /// For what they approved: what they owe.
    pub approved: Scope,
    /// What warranty covers (shown, never billed).
    pub warranty: Cents,
    /// What the dealership absorbs (shown, never billed).
    pub internal: Cents,
    /// Customer-pay jobs the customer declined.
    pub declined: Cents,
    pub paid: Cents,
    /// What they approved less what they paid, never below zero.
    pub balance_due: Cents,
}

pub fn totals(jobs: &[PricedJob], rules: &TaxRules, ro_discount: Cents, paid: Cents) -> Totals {
    let customer = |keep: fn(Approval) -> bool| {
        jobs.iter()
            .filter(move |j| j.pay_type == PayType::Customer && keep(j.approval))
    };
    let covered = |pay: PayType| -> Cents {
        jobs.iter()
            .filter(|j| j.pay_type == pay)
            .map(PricedJob::subtotal)
            .sum()
    };
    let proposed = scope(customer(|a| a != Approval::Declined), rules, ro_discount);
    let approved = scope(
        customer(|a| matches!(a, Approval::Approved | Approval::NotRequired)),
        rules,
        ro_discount,
    );
    Totals {
        proposed,
        approved,
        warranty: covered(PayType::Warranty),
        internal: covered(PayType::Internal),
        declined: customer(|a| a == Approval::Declined)
            .map(PricedJob::subtotal)
            .sum(),
        paid,
        balance_due: Cents((approved.total - paid).0.max(0)),
    }
}

#[cfg(test)]
mod tests;
