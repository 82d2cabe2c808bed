//! Stream, subject and consumer names derived from one prefix, so several deployments
//! (or test runs) can share a server without seeing each other.

use crate::BusError;

/// The names of one deployment on a NATS server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Names {
    prefix: String,
}

impl Names {
    /// `prefix` doubles as the name of the event stream, so it must be a valid stream
    /// name and subject token.
    pub(crate) fn new(prefix: &str) -> Result<Self, BusError> {
        let valid = !prefix.is_empty()
            && prefix
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !valid {
            return Err(BusError::InvalidConfig(format!(
                "prefix {prefix:?} must be non-empty and use only A-Z a-z 0-9 - _"
            )));
        }
        Ok(Names {
            prefix: prefix.to_owned(),
        })
    }

    pub(crate) fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The stream holding every relayed event (`{prefix}.>`).
    pub(crate) fn events_stream(&self) -> &str {
        &self.prefix
    }

    /// The stream holding dead letters and re-driven copies.
    pub(crate) fn dead_letter_stream(&self) -> String {
        format!("{}-deadletters", self.prefix)
    }

    /// The stream capturing the server's max-deliveries advisories about our consumers.
    pub(crate) fn advisory_stream(&self) -> String {
        format!("{}-advisories", self.prefix)
    }

    pub(crate) fn all_events(&self) -> String {
        format!("{}.>", self.prefix)
    }

    /// `{prefix}.{category}.{EventType}`; characters a subject token cannot hold become `_`
    /// (the exact values travel in headers).
    pub(crate) fn event_subject(&self, category: &str, event_type: &str) -> String {
        format!("{}.{}.{}", self.prefix, token(category), token(event_type))
    }

    /// The one filter subject of a consumer of `category`.
    pub(crate) fn category_filter(&self, category: &str) -> String {
        format!("{}.{}.>", self.prefix, token(category))
    }

    /// The category a consumer's filter subject selects, if it is one of ours.
    pub(crate) fn category_of_filter<'a>(&self, filter: &'a str) -> Option<&'a str> {
        filter
            .strip_prefix(self.prefix.as_str())?
            .strip_prefix('.')?
            .strip_suffix(".>")
    }

    pub(crate) fn dead_letter_subjects(&self) -> String {
        format!("{}-dead.>", self.prefix)
    }

    pub(crate) fn dead_letter_subject(&self, consumer: &str) -> String {
        format!("{}-dead.{consumer}", self.prefix)
    }

    pub(crate) fn consumer_of_dead_letter_subject<'a>(&self, subject: &'a str) -> Option<&'a str> {
        subject
            .strip_prefix(self.prefix.as_str())?
            .strip_prefix("-dead.")
    }

    pub(crate) fn redrive_subjects(&self) -> String {
        format!("{}-redrive.>", self.prefix)
    }

    pub(crate) fn consumer_of_redrive_subject<'a>(&self, subject: &'a str) -> Option<&'a str> {
        subject
            .strip_prefix(self.prefix.as_str())?
            .strip_prefix("-redrive.")
    }

    pub(crate) fn redrive_subject(&self, consumer: &str) -> String {
        format!("{}-redrive.{consumer}", self.prefix)
    }

    /// The durable that carries re-driven dead letters of `consumer` (on the dead-letter
    /// stream, so it cannot clash with a consumer of the event stream).
    pub(crate) fn redrive_consumer(consumer: &str) -> String {
        format!("{consumer}-redrive")
    }

    /// Advisory subjects for max deliveries reached on `stream`'s consumers.
    pub(crate) fn max_deliveries_advisories(stream: &str) -> String {
        format!("$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.{stream}.*")
    }
}

/// A subject token: only `A-Z a-z 0-9 - _`, never empty.
fn token(raw: &str) -> String {
    if raw.is_empty() {
        return "_".into();
    }
    raw.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn subjects_follow_prefix_category_and_type() {
        let names = Names::new("ticketing").unwrap();
        assert_eq!(
            names.event_subject("order", "OrderCreated"),
            "ticketing.order.OrderCreated"
        );
        assert_eq!(names.category_filter("order"), "ticketing.order.>");
        assert_eq!(names.category_of_filter("ticketing.order.>"), Some("order"));
        assert_eq!(names.category_of_filter("other.order.>"), None);
    }

    #[test]
    fn characters_a_subject_cannot_hold_are_replaced() {
        let names = Names::new("p").unwrap();
        assert_eq!(names.event_subject("a", "x.y *>"), "p.a.x_y___");
        assert_eq!(names.event_subject("", ""), "p._._");
    }

    #[test]
    fn a_prefix_with_dots_or_wildcards_is_refused() {
        assert!(Names::new("a.b").is_err());
        assert!(Names::new("a*").is_err());
        assert!(Names::new("").is_err());
    }
}
