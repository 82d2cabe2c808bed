//! Which services a process runs, and the categories each one owns (writes).

use std::fmt;

/// One of the five services.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ServiceName {
    Auth,
    Tickets,
    Orders,
    Expiration,
    Payments,
}

impl ServiceName {
    pub const ALL: [ServiceName; 5] = [
        ServiceName::Auth,
        ServiceName::Tickets,
        ServiceName::Orders,
        ServiceName::Expiration,
        ServiceName::Payments,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ServiceName::Auth => "auth",
            ServiceName::Tickets => "tickets",
            ServiceName::Orders => "orders",
            ServiceName::Expiration => "expiration",
            ServiceName::Payments => "payments",
        }
    }

    /// The stream categories this service appends to (spec section 1): what its
    /// process relays to the bus.
    pub fn owned_categories(self) -> &'static [&'static str] {
        match self {
            ServiceName::Auth => &["user", "useremail"],
            ServiceName::Tickets => &["ticket"],
            ServiceName::Orders => &["order", "reservation"],
            ServiceName::Expiration => &["expiration"],
            ServiceName::Payments => &["payment"],
        }
    }
}

impl fmt::Display for ServiceName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for ServiceName {
    type Err = String;

    /// Parses a service name (`auth`, `tickets`, `orders`, `expiration`, `payments`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ServiceName::ALL
            .into_iter()
            .find(|name| name.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown service {s:?}; expected one of auth, tickets, orders, expiration, payments"
                )
            })
    }
}

/// The services of one process: all of them unless some are named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection(Vec<ServiceName>);

impl Selection {
    pub fn all() -> Self {
        Selection(ServiceName::ALL.to_vec())
    }

    /// The named services (deduplicated); all when `names` is empty.
    pub fn of(names: &[ServiceName]) -> Self {
        if names.is_empty() {
            return Self::all();
        }
        let mut names = names.to_vec();
        names.sort();
        names.dedup();
        Selection(names)
    }

    pub fn contains(&self, name: ServiceName) -> bool {
        self.0.contains(&name)
    }

    pub fn is_all(&self) -> bool {
        self.0.len() == ServiceName::ALL.len()
    }

    pub fn names(&self) -> &[ServiceName] {
        &self.0
    }

    /// Every category the selected services own.
    pub fn owned_categories(&self) -> Vec<String> {
        self.0
            .iter()
            .flat_map(|s| s.owned_categories().iter().map(|c| (*c).to_owned()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn no_named_service_means_every_service() {
        assert!(Selection::of(&[]).is_all());
    }

    #[test]
    fn a_process_relays_only_the_categories_its_services_own() {
        let selection = Selection::of(&[ServiceName::Orders, ServiceName::Orders]);
        assert_eq!(selection.owned_categories(), vec!["order", "reservation"]);
        assert!(!selection.contains(ServiceName::Tickets));
    }

    #[test]
    fn service_names_parse_and_unknown_ones_are_refused() {
        assert_eq!(
            "payments".parse::<ServiceName>().unwrap(),
            ServiceName::Payments
        );
        assert!("billing".parse::<ServiceName>().is_err());
    }
}
