//! expiration: an order's expiry is recorded once.

use domain::testing::given;
use domain::{Expiration, ExpirationCommand, OrderExpirationDue, OrderId};
use uuid::Uuid;

const ORDER: OrderId = OrderId::new(Uuid::from_u128(10));

#[test]
fn a_fired_timer_records_that_the_order_expired() {
    given::<Expiration>([])
        .when(ExpirationCommand::MarkExpirationDue { order_id: ORDER })
        .then([OrderExpirationDue { order_id: ORDER }.into()]);
}

#[test]
fn a_timer_firing_twice_records_the_expiry_once() {
    given::<Expiration>([OrderExpirationDue { order_id: ORDER }.into()])
        .when(ExpirationCommand::MarkExpirationDue { order_id: ORDER })
        .then_nothing();
}
