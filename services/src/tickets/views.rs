//! The ticket JSON of the HTTP contract: `{id, title, price, userId, version, orderId?}`,
//! the price as a decimal JSON number.

use serde_json::{Map, Value, json};

use super::TicketRow;

impl TicketRow {
    /// The contract's JSON for this ticket (`orderId` only while an order holds it).
    pub fn to_json(&self) -> Value {
        let mut object = Map::new();
        object.insert("id".into(), json!(self.id.to_string()));
        object.insert("title".into(), json!(self.title));
        object.insert("price".into(), Value::Number(self.price.to_json_number()));
        object.insert("userId".into(), json!(self.user_id.to_string()));
        object.insert("version".into(), json!(self.version));
        if let Some(order_id) = self.order_id {
            object.insert("orderId".into(), json!(order_id.to_string()));
        }
        Value::Object(object)
    }
}

#[cfg(test)]
mod tests {
    use domain::{Money, OrderId, TicketId, UserId};
    use uuid::Uuid;

    use super::*;

    fn row(order_id: Option<OrderId>) -> TicketRow {
        TicketRow {
            id: TicketId::new(Uuid::from_u128(1)),
            title: "concert".into(),
            price: Money::from_cents(1999),
            user_id: UserId::new(Uuid::from_u128(2)),
            version: 3,
            order_id,
            created_position: 7,
        }
    }

    #[test]
    fn a_free_ticket_shows_its_price_as_a_decimal_number_and_no_order() {
        assert_eq!(
            row(None).to_json(),
            json!({
                "id": "00000000-0000-0000-0000-000000000001",
                "title": "concert",
                "price": 19.99,
                "userId": "00000000-0000-0000-0000-000000000002",
                "version": 3
            })
        );
    }

    #[test]
    fn a_held_ticket_names_its_order() {
        let order = OrderId::new(Uuid::from_u128(9));
        assert_eq!(
            row(Some(order)).to_json()["orderId"],
            json!("00000000-0000-0000-0000-000000000009")
        );
    }
}
