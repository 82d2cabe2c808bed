//! A ticket for sale (stream `ticket-{id}`), owned by the tickets service.
//!
//! The ticket's holder (`order_id`) mirrors the orders service's reservation: it exists so
//! that a held ticket cannot be edited and is hidden from the list. Who may hold a ticket
//! is decided in `reservation-{ticketId}`, not here.

use serde::{Deserialize, Serialize};

use crate::aggregate::{Aggregate, domain_event};
use crate::error::{DomainError, ErrorKind};
use crate::ids::{OrderId, UserId};
use crate::metadata::Context;
use crate::money::Money;

/// A ticket was put up for sale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TicketCreated {
    /// Trimmed, non-empty title.
    pub title: String,
    /// Price in cents, greater than zero.
    pub price: Money,
    /// The seller.
    pub user_id: UserId,
}

/// The seller changed title and price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TicketUpdated {
    /// Trimmed, non-empty title.
    pub title: String,
    /// Price in cents, greater than zero.
    pub price: Money,
}

/// An order holds the ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TicketReserved {
    /// The holding order.
    pub order_id: OrderId,
}

/// The holding order was cancelled: the ticket is on sale again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TicketReleased {
    /// The order that held it.
    pub order_id: OrderId,
}

/// Events of `ticket-{id}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TicketEvent {
    /// See [`TicketCreated`].
    TicketCreated(TicketCreated),
    /// See [`TicketUpdated`].
    TicketUpdated(TicketUpdated),
    /// See [`TicketReserved`].
    TicketReserved(TicketReserved),
    /// See [`TicketReleased`].
    TicketReleased(TicketReleased),
}
domain_event!(TicketEvent {
    TicketCreated,
    TicketUpdated,
    TicketReserved,
    TicketReleased
});

/// Commands of `ticket-{id}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TicketCommand {
    /// `POST /api/tickets`.
    CreateTicket {
        /// Title as typed (trimmed here).
        title: String,
        /// Parsed price.
        price: Money,
        /// The signed-in seller.
        user_id: UserId,
    },
    /// `PUT /api/tickets/:id`.
    UpdateTicket {
        /// Title as typed (trimmed here).
        title: String,
        /// Parsed price.
        price: Money,
        /// The signed-in user asking.
        by: UserId,
    },
    /// Reaction to `OrderCreated`.
    ReserveTicket {
        /// The new order.
        order_id: OrderId,
    },
    /// Reaction to `OrderCancelled`.
    ReleaseTicket {
        /// The cancelled order.
        order_id: OrderId,
    },
}

/// Why a ticket command is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TicketError {
    /// Empty title after trimming: 400 on `title`.
    #[error("Title is required")]
    TitleRequired,
    /// Zero price: 400 on `price`.
    #[error("Price must be greater than 0")]
    PriceNotPositive,
    /// No such ticket: 404 (for a reaction, the ticket stream is missing: dead-letter).
    #[error("Not Found")]
    NotFound,
    /// Only the seller may edit: 401.
    #[error("Not authorized")]
    NotOwner,
    /// An order holds the ticket: 400.
    #[error("Cannot edit a reserved ticket")]
    Reserved,
    /// The id is taken by an existing ticket: a programming error (ids are fresh UUIDs).
    #[error("Ticket already exists")]
    AlreadyCreated,
}

impl DomainError for TicketError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::TitleRequired => ErrorKind::Invalid { field: "title" },
            Self::PriceNotPositive => ErrorKind::Invalid { field: "price" },
            Self::NotFound => ErrorKind::NotFound,
            Self::NotOwner => ErrorKind::NotOwner,
            Self::Reserved | Self::AlreadyCreated => ErrorKind::Rejected,
        }
    }
}

/// Every field rule a create or update breaks, in form order (the HTTP answer lists all).
pub fn validate_ticket(title: &str, price: Money) -> Vec<TicketError> {
    let mut errors = Vec::new();
    if title.trim().is_empty() {
        errors.push(TicketError::TitleRequired);
    }
    if price.is_zero() {
        errors.push(TicketError::PriceNotPositive);
    }
    errors
}

/// What the tickets service knows about one ticket.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TicketState {
    /// Current title (empty before creation).
    pub title: String,
    /// Current price.
    pub price: Money,
    /// The seller; `None` until the ticket is created.
    pub owner: Option<UserId>,
    /// The order holding the ticket, if any.
    pub order_id: Option<OrderId>,
    /// Revision of the last event (the ticket's `version`); `None` before creation.
    pub version: Option<u64>,
}

impl TicketState {
    /// Whether `TicketCreated` has been applied.
    pub fn exists(&self) -> bool {
        self.owner.is_some()
    }
}

/// The ticket aggregate.
#[derive(Debug, Clone, Copy, Default)]
pub struct Ticket;

impl Aggregate for Ticket {
    const CATEGORY: &'static str = "ticket";
    type State = TicketState;
    type Command = TicketCommand;
    type Event = TicketEvent;
    type Error = TicketError;

    fn decide(
        state: &TicketState,
        command: TicketCommand,
        _ctx: &Context,
    ) -> Result<Vec<TicketEvent>, TicketError> {
        match command {
            TicketCommand::CreateTicket {
                title,
                price,
                user_id,
            } => {
                first_violation(&title, price)?;
                if state.exists() {
                    return Err(TicketError::AlreadyCreated);
                }
                Ok(vec![
                    TicketCreated {
                        title: title.trim().to_owned(),
                        price,
                        user_id,
                    }
                    .into(),
                ])
            }
            TicketCommand::UpdateTicket { title, price, by } => {
                // The order of checks is the spec's: fields, 404, held, owner.
                first_violation(&title, price)?;
                let owner = state.owner.ok_or(TicketError::NotFound)?;
                if state.order_id.is_some() {
                    return Err(TicketError::Reserved);
                }
                if owner != by {
                    return Err(TicketError::NotOwner);
                }
                Ok(vec![
                    TicketUpdated {
                        title: title.trim().to_owned(),
                        price,
                    }
                    .into(),
                ])
            }
            TicketCommand::ReserveTicket { order_id } => {
                if !state.exists() {
                    return Err(TicketError::NotFound);
                }
                // Held by this order: a redelivery, nothing to do. Held by another order:
                // the reservation stream in orders admits one live order per ticket, so
                // the other holder's cancellation has not reached us yet, or this
                // `OrderCreated` is a late replay of an order that has since been
                // cancelled. Either way overwriting the holder could release the ticket
                // under the live order later; the reservation stays the authority and
                // this mirror stays as it is.
                match state.order_id {
                    Some(_) => Ok(vec![]),
                    None => Ok(vec![TicketReserved { order_id }.into()]),
                }
            }
            TicketCommand::ReleaseTicket { order_id } => {
                if !state.exists() {
                    return Err(TicketError::NotFound);
                }
                // Only the holding order may release (defect 7: cancelling order A must
                // not free a ticket that order B holds).
                if state.order_id == Some(order_id) {
                    Ok(vec![TicketReleased { order_id }.into()])
                } else {
                    Ok(vec![])
                }
            }
        }
    }

    fn evolve(state: &mut TicketState, event: &TicketEvent) {
        state.version = Some(state.version.map_or(0, |v| v + 1));
        match event {
            TicketEvent::TicketCreated(created) => {
                state.title.clone_from(&created.title);
                state.price = created.price;
                state.owner = Some(created.user_id);
            }
            TicketEvent::TicketUpdated(updated) => {
                state.title.clone_from(&updated.title);
                state.price = updated.price;
            }
            TicketEvent::TicketReserved(reserved) => state.order_id = Some(reserved.order_id),
            TicketEvent::TicketReleased(_) => state.order_id = None,
        }
    }
}

fn first_violation(title: &str, price: Money) -> Result<(), TicketError> {
    match validate_ticket(title, price).into_iter().next() {
        Some(error) => Err(error),
        None => Ok(()),
    }
}
