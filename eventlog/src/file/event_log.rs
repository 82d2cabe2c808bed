//! `EventLog` for `FileLog`: appends go to the writer thread; reads plan under the
//! index lock and read the files without it.

use std::sync::Arc;

use tokio::sync::oneshot;

use super::writer::Msg;
use super::{FileLog, admit, read, subscribe};
use crate::{
    AppendOutcome, CategoryFilter, Direction, EventLog, ExpectedRevision, LogError, NewEvent,
    RecordedEvent, StreamInfo, Subscription, category_of,
};

impl EventLog for FileLog {
    async fn append(
        &self,
        stream: &str,
        expected: ExpectedRevision,
        events: Vec<NewEvent>,
    ) -> Result<AppendOutcome, LogError> {
        let Some(writer) = &self.inner.writer else {
            return Err(LogError::ReadOnly);
        };
        admit::validate(stream, &events)?;
        let (reply, answer) = oneshot::channel();
        let msg = Msg::Append {
            stream: stream.to_owned(),
            expected,
            events,
            reply,
        };
        writer.send(msg).map_err(|_| LogError::Closed)?;
        answer.await.map_err(|_| LogError::Closed)?
    }

    async fn read_stream(
        &self,
        stream: &str,
        from: u64,
        direction: Direction,
        max: usize,
    ) -> Result<Vec<RecordedEvent>, LogError> {
        let shared = self.readable()?;
        let plan = read::plan_stream(shared, stream, from, direction, max);
        read::fetch(shared, plan).await
    }

    async fn read_all(
        &self,
        from: u64,
        max: usize,
        filter: &CategoryFilter,
    ) -> Result<Vec<RecordedEvent>, LogError> {
        let shared = self.readable()?;
        let (plan, _) = read::plan_all(shared, from, max, filter);
        read::fetch(shared, plan).await
    }

    fn subscribe(&self, from: u64, filter: CategoryFilter) -> Subscription {
        subscribe::subscribe(Arc::clone(&self.inner.shared), from, filter)
    }

    async fn head_position(&self) -> Result<u64, LogError> {
        Ok(self.readable()?.index().head())
    }

    async fn stream_revision(&self, stream: &str) -> Result<Option<u64>, LogError> {
        let index = self.readable()?.index();
        Ok(index
            .stream_number(stream)
            .and_then(|n| index.last_revision(n)))
    }

    async fn categories(&self) -> Result<Vec<String>, LogError> {
        let index = self.readable()?.index();
        let mut categories: Vec<String> = index
            .streams
            .iter()
            .map(|s| category_of(&s.name))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .map(str::to_owned)
            .collect();
        categories.dedup();
        Ok(categories)
    }

    async fn streams(&self, category: Option<&str>) -> Result<Vec<StreamInfo>, LogError> {
        let index = self.readable()?.index();
        let mut streams: Vec<StreamInfo> = index
            .streams
            .iter()
            .filter(|s| category.is_none_or(|c| category_of(&s.name) == c))
            .filter_map(|s| {
                Some(StreamInfo {
                    stream: s.name.clone(),
                    last_revision: (s.positions.len() as u64).checked_sub(1)?,
                })
            })
            .collect();
        streams.sort_by(|a, b| a.stream.cmp(&b.stream));
        Ok(streams)
    }
}
