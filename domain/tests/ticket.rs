#![allow(clippy::unwrap_used)]
//! tickets: creating, editing, and mirroring the holding order.

use domain::testing::given;
use domain::{Aggregate, Money, OrderId, Ticket, TicketCommand, TicketError, TicketEvent};
use domain::{DomainError, ErrorKind, validate_ticket};
use domain::{TicketCreated, TicketReleased, TicketReserved, TicketUpdated, UserId};
use uuid::Uuid;

const SELLER: UserId = UserId::new(Uuid::from_u128(1));
const STRANGER: UserId = UserId::new(Uuid::from_u128(2));
const ORDER_A: OrderId = OrderId::new(Uuid::from_u128(10));
const ORDER_B: OrderId = OrderId::new(Uuid::from_u128(11));

fn created() -> TicketEvent {
    TicketCreated {
        title: "Concert".into(),
        price: Money::from_cents(2000),
        user_id: SELLER,
    }
    .into()
}

fn reserved_by(order_id: OrderId) -> TicketEvent {
    TicketReserved { order_id }.into()
}

fn update(title: &str, cents: u64, by: UserId) -> TicketCommand {
    TicketCommand::UpdateTicket {
        title: title.into(),
        price: Money::from_cents(cents),
        by,
    }
}

#[test]
fn a_ticket_is_created_with_a_trimmed_title_its_price_and_its_seller() {
    given::<Ticket>([])
        .when(TicketCommand::CreateTicket {
            title: "  Concert ".into(),
            price: Money::from_cents(2000),
            user_id: SELLER,
        })
        .then([created()]);
}

#[test]
fn a_ticket_needs_a_title() {
    given::<Ticket>([])
        .when(TicketCommand::CreateTicket {
            title: "   ".into(),
            price: Money::from_cents(2000),
            user_id: SELLER,
        })
        .then_error(TicketError::TitleRequired);
    assert_eq!(TicketError::TitleRequired.to_string(), "Title is required");
    assert_eq!(
        TicketError::TitleRequired.kind(),
        ErrorKind::Invalid { field: "title" }
    );
}

#[test]
fn a_ticket_price_must_be_greater_than_zero() {
    given::<Ticket>([])
        .when(TicketCommand::CreateTicket {
            title: "Concert".into(),
            price: Money::from_cents(0),
            user_id: SELLER,
        })
        .then_error(TicketError::PriceNotPositive);
    assert_eq!(
        TicketError::PriceNotPositive.to_string(),
        "Price must be greater than 0"
    );
}

#[test]
fn validation_reports_every_broken_field() {
    assert_eq!(
        validate_ticket("", Money::from_cents(0)),
        vec![TicketError::TitleRequired, TicketError::PriceNotPositive]
    );
    assert_eq!(validate_ticket("Concert", Money::from_cents(1)), vec![]);
}

#[test]
fn a_ticket_id_cannot_be_created_twice() {
    given::<Ticket>([created()])
        .when(TicketCommand::CreateTicket {
            title: "Other".into(),
            price: Money::from_cents(1),
            user_id: STRANGER,
        })
        .then_error(TicketError::AlreadyCreated);
}

#[test]
fn the_owner_may_edit_an_unreserved_ticket() {
    given::<Ticket>([created()])
        .when(update(" Opera ", 2500, SELLER))
        .then([TicketUpdated {
            title: "Opera".into(),
            price: Money::from_cents(2500),
        }
        .into()]);
}

#[test]
fn only_the_owner_may_edit_a_ticket() {
    given::<Ticket>([created()])
        .when(update("Opera", 2500, STRANGER))
        .then_error(TicketError::NotOwner);
    assert_eq!(TicketError::NotOwner.kind(), ErrorKind::NotOwner);
}

#[test]
fn a_reserved_ticket_cannot_be_edited() {
    given::<Ticket>([created(), reserved_by(ORDER_A)])
        .when(update("Opera", 2500, SELLER))
        .then_error(TicketError::Reserved);
    assert_eq!(
        TicketError::Reserved.to_string(),
        "Cannot edit a reserved ticket"
    );
}

#[test]
fn a_ticket_that_does_not_exist_cannot_be_edited() {
    given::<Ticket>([])
        .when(update("Opera", 2500, SELLER))
        .then_error(TicketError::NotFound);
}

#[test]
fn an_edit_is_validated_before_anything_else() {
    given::<Ticket>([])
        .when(update("", 2500, SELLER))
        .then_error(TicketError::TitleRequired);
    given::<Ticket>([created()])
        .when(update("Opera", 0, SELLER))
        .then_error(TicketError::PriceNotPositive);
}

#[test]
fn a_held_ticket_is_reported_as_reserved_before_ownership_is_checked() {
    given::<Ticket>([created(), reserved_by(ORDER_A)])
        .when(update("Opera", 2500, STRANGER))
        .then_error(TicketError::Reserved);
}

#[test]
fn a_ticket_is_reserved_by_a_new_order() {
    given::<Ticket>([created()])
        .when(TicketCommand::ReserveTicket { order_id: ORDER_A })
        .then([reserved_by(ORDER_A)]);
}

#[test]
fn reserving_for_the_holding_order_again_records_nothing() {
    given::<Ticket>([created(), reserved_by(ORDER_A)])
        .when(TicketCommand::ReserveTicket { order_id: ORDER_A })
        .then_nothing();
}

#[test]
fn a_ticket_held_by_another_order_is_not_reserved_again() {
    given::<Ticket>([created(), reserved_by(ORDER_A)])
        .when(TicketCommand::ReserveTicket { order_id: ORDER_B })
        .then_nothing();
}

#[test]
fn a_ticket_is_released_by_the_order_that_holds_it() {
    given::<Ticket>([created(), reserved_by(ORDER_A)])
        .when(TicketCommand::ReleaseTicket { order_id: ORDER_A })
        .then([TicketReleased { order_id: ORDER_A }.into()]);
}

#[test]
fn releasing_a_ticket_held_by_another_order_changes_nothing() {
    given::<Ticket>([created(), reserved_by(ORDER_B)])
        .when(TicketCommand::ReleaseTicket { order_id: ORDER_A })
        .then_nothing();
}

#[test]
fn releasing_a_ticket_nobody_holds_changes_nothing() {
    given::<Ticket>([
        created(),
        reserved_by(ORDER_A),
        TicketReleased { order_id: ORDER_A }.into(),
    ])
    .when(TicketCommand::ReleaseTicket { order_id: ORDER_A })
    .then_nothing();
}

#[test]
fn a_released_ticket_can_be_edited_again() {
    given::<Ticket>([
        created(),
        reserved_by(ORDER_A),
        TicketReleased { order_id: ORDER_A }.into(),
    ])
    .when(update("Opera", 2500, SELLER))
    .then([TicketUpdated {
        title: "Opera".into(),
        price: Money::from_cents(2500),
    }
    .into()]);
}

#[test]
fn a_reaction_for_a_ticket_that_does_not_exist_is_an_error() {
    given::<Ticket>([])
        .when(TicketCommand::ReserveTicket { order_id: ORDER_A })
        .then_error(TicketError::NotFound);
}

#[test]
fn the_ticket_version_is_the_revision_of_its_last_event() {
    assert_eq!(Ticket::fold(Vec::<TicketEvent>::new()).version, None);
    let state = Ticket::fold([created(), reserved_by(ORDER_A)]);
    assert_eq!(state.version, Some(1));
    assert_eq!(state.order_id, Some(ORDER_A));
    assert_eq!(
        (state.title.as_str(), state.price, state.owner),
        ("Concert", Money::from_cents(2000), Some(SELLER))
    );
}
