//! The deadline scheduler: a min-heap of deadlines, stable for equal times.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashSet};

use crate::clock::UnixNanos;

/// Identifies a scheduled deadline (and its repetitions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DeadlineId(u64);

/// A deadline that fired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fired<T> {
    /// Which deadline.
    pub id: DeadlineId,
    /// When it was due (not when it was noticed).
    pub due: UnixNanos,
    /// Its payload.
    pub payload: T,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Entry<T> {
    due: UnixNanos,
    seq: u64,
    id: DeadlineId,
    period: Option<i64>,
    payload: T,
}

/// Schedules deadlines and fires those due, earliest first; equal deadlines fire in the
/// order they were scheduled. A repeating deadline is rescheduled at `due + period` (never
/// `now + period`), so it does not drift however late it is noticed.
#[derive(Debug)]
pub struct DeadlineScheduler<T: Ord> {
    heap: BinaryHeap<Reverse<Entry<T>>>,
    cancelled: HashSet<DeadlineId>,
    seq: u64,
    next_id: u64,
}

impl<T: Ord> Default for DeadlineScheduler<T> {
    fn default() -> Self {
        Self { heap: BinaryHeap::new(), cancelled: HashSet::new(), seq: 0, next_id: 0 }
    }
}

impl<T: Ord + Clone> DeadlineScheduler<T> {
    /// An empty scheduler.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    fn push(&mut self, id: DeadlineId, due: UnixNanos, period: Option<i64>, payload: T) {
        self.seq += 1;
        self.heap.push(Reverse(Entry { due, seq: self.seq, id, period, payload }));
    }

    /// Schedule `payload` at `due`.
    pub fn schedule(&mut self, due: impl Into<UnixNanos>, payload: T) -> DeadlineId {
        let due = due.into();
        self.next_id += 1;
        let id = DeadlineId(self.next_id);
        self.push(id, due, None, payload);
        id
    }

    /// Schedule `payload` at `first`, then every `period` nanoseconds (`period` >= 1).
    pub fn schedule_every(&mut self, first: impl Into<UnixNanos>, period: i64, payload: T) -> DeadlineId {
        let first = first.into();
        self.next_id += 1;
        let id = DeadlineId(self.next_id);
        self.push(id, first, Some(period.max(1)), payload);
        id
    }

    /// Cancel a deadline (and its repetitions). Cancelling twice, or after it fired, is harmless.
    pub fn cancel(&mut self, id: DeadlineId) {
        self.cancelled.insert(id);
    }

    /// The earliest pending deadline, if any.
    pub fn next_due(&mut self) -> Option<UnixNanos> {
        self.drop_cancelled();
        self.heap.peek().map(|Reverse(e)| e.due)
    }

    fn drop_cancelled(&mut self) {
        while let Some(Reverse(e)) = self.heap.peek() {
            if self.cancelled.contains(&e.id) {
                if let Some(Reverse(e)) = self.heap.pop()
                    && e.period.is_none()
                {
                    self.cancelled.remove(&e.id);
                }
            } else {
                break;
            }
        }
    }

    /// Pop the next deadline due at or before `now`, if any (repeating ones are rescheduled).
    pub fn pop_due(&mut self, now: impl Into<UnixNanos>) -> Option<Fired<T>> {
        self.pop(now.into(), false).map(|(f, _)| f)
    }

    /// As [`DeadlineScheduler::pop_due`], except that a periodic deadline due several times by
    /// `now` fires once, for its first occurrence, and its next one moves past `now`; the
    /// second value says how many later occurrences that one firing stands for. For a
    /// check whose outcome cannot change between two of its occurrences (nothing happens in
    /// between), this makes the cost grow with events, not with time: a 1 ns cadence over a
    /// gap of a year is one check, not 3·10^16.
    pub fn pop_due_coalesced(&mut self, now: impl Into<UnixNanos>) -> Option<(Fired<T>, u64)> {
        self.pop(now.into(), true)
    }

    /// The next deadline due by `now`; a periodic one is rescheduled one period on, or with
    /// `coalesce` past `now` (the occurrences skipped counted).
    fn pop(&mut self, now: UnixNanos, coalesce: bool) -> Option<(Fired<T>, u64)> {
        self.drop_cancelled();
        if self.heap.peek().is_none_or(|Reverse(e)| e.due > now) {
            return None;
        }
        let Reverse(e) = self.heap.pop()?;
        let mut skipped = 0u64;
        if let Some(p) = e.period {
            // Occurrences due by `now` after the first: (now - due) / p of them.
            let behind = if coalesce { now.get().saturating_sub(e.due.get()) / p } else { 0 };
            skipped = u64::try_from(behind).unwrap_or(0);
            let next = e.due.saturating_add(behind.saturating_add(1).saturating_mul(p));
            self.push(e.id, next, Some(p), e.payload.clone());
        }
        Some((Fired { id: e.id, due: e.due, payload: e.payload }, skipped))
    }

    /// Pending deadlines (cancelled ones not yet dropped included).
    #[must_use]
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// Whether nothing is pending.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn fires_in_order_with_stable_ties_and_cancels() {
        let mut s = DeadlineScheduler::new();
        let a = s.schedule(10, "a");
        s.schedule(5, "b");
        s.schedule(10, "c");
        s.schedule(10, "d");
        s.cancel(a);
        let mut got = Vec::new();
        while let Some(f) = s.pop_due(100) {
            got.push((f.due.get(), f.payload));
        }
        assert_eq!(got, vec![(5, "b"), (10, "c"), (10, "d")]);
        assert!(s.pop_due(1000).is_none());
    }

    #[test]
    fn repeating_deadlines_do_not_drift() {
        let mut s = DeadlineScheduler::new();
        let id = s.schedule_every(100, 30, ());
        // Noticed late: still due at 100, 130, 160..., not at now + 30.
        let dues: Vec<i64> = std::iter::from_fn(|| s.pop_due(250).map(|f| f.due.get())).collect();
        assert_eq!(dues, vec![100, 130, 160, 190, 220, 250]);
        assert_eq!(s.next_due(), Some(UnixNanos::new(280)));
        s.cancel(id);
        assert_eq!(s.next_due(), None);
    }

    #[test]
    fn a_periodic_deadline_far_behind_fires_once_standing_for_the_rest() {
        let mut s = DeadlineScheduler::new();
        s.schedule_every(100, 30, ());
        let (f, skipped) = s.pop_due_coalesced(250).expect("due");
        assert_eq!((f.due.get(), skipped), (100, 5), "100 fired; 130..250 stand behind it");
        assert!(s.pop_due_coalesced(250).is_none());
        assert_eq!(s.next_due(), Some(UnixNanos::new(280)), "the same grid as pop_due");
        let mut s = DeadlineScheduler::new();
        s.schedule_every(0, 1, ());
        let year = 365 * 86_400 * 1_000_000_000i64;
        let (_, skipped) = s.pop_due_coalesced(year).expect("due");
        assert_eq!(skipped, u64::try_from(year).expect("positive"));
        assert_eq!(s.next_due(), Some(UnixNanos::new(year + 1)));
    }

    proptest! {
        #[test]
        fn every_deadline_fires_once_in_order(dues in prop::collection::vec(0..1000i64, 0..200), cancel in prop::collection::vec(any::<bool>(), 200)) {
            let mut s = DeadlineScheduler::new();
            let mut expected = Vec::new();
            for (i, &d) in dues.iter().enumerate() {
                let id = s.schedule(d, i);
                if cancel[i] { s.cancel(id); } else { expected.push((d, i)); }
            }
            expected.sort();
            let mut got = Vec::new();
            let mut now = 0;
            while !s.is_empty() && now < 1000 + 7 {
                while let Some(f) = s.pop_due(now) {
                    prop_assert!(f.due.get() <= now);
                    got.push((f.due.get(), f.payload));
                }
                now += 7;
            }
            prop_assert_eq!(got, expected);
        }
    }
}
