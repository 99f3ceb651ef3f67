//! The engine's one opening to execution: commands go out, answers that are already in come
//! back. The port never waits. A live port is a channel to the execution task (its answers
//! arrive later, as events of the reactor); a simulated venue on virtual time answers what is
//! due by the time it is asked about (the instant venue: at once, as a market order on a
//! simulated exchange does).

use violet_clock::UnixNanos;

use super::command::Command;
use super::update::OrderUpdate;

/// Where the engine's commands go.
pub trait ExecutionPort: std::fmt::Debug {
    /// Take a command at `now`. Never blocks.
    fn submit(&mut self, command: Command, now: UnixNanos);
    /// An answer due by `now` and not yet taken, earliest first; `None` when nothing is
    /// in. Never waits.
    fn poll(&mut self, now: UnixNanos) -> Option<OrderUpdate>;
    /// When the next answer falls due on virtual time (`None`: nothing scheduled, or a live
    /// port whose answers come as events).
    fn next_due(&self) -> Option<UnixNanos> {
        None
    }
    /// No more commands will come (the service is stopping): a live port closes its
    /// channel so the execution task can end.
    fn close(&mut self) {}
    /// Whether commands go anywhere (a port that drops them all says no, and the engine
    /// spares itself building them when it books BLUE's fill).
    fn accepts_commands(&self) -> bool {
        true
    }
}

/// A port that drops every command and never answers: BLUE's bookkeeping with no venue at
/// all (the engine books BLUE's fill itself; see [`Booking::Shadow`](super::Booking)).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoVenue;

impl ExecutionPort for NoVenue {
    fn submit(&mut self, _: Command, _: UnixNanos) {}
    fn poll(&mut self, _: UnixNanos) -> Option<OrderUpdate> {
        None
    }
    fn accepts_commands(&self) -> bool {
        false
    }
}

impl<P: ExecutionPort + ?Sized> ExecutionPort for Box<P> {
    fn submit(&mut self, command: Command, now: UnixNanos) {
        (**self).submit(command, now);
    }
    fn poll(&mut self, now: UnixNanos) -> Option<OrderUpdate> {
        (**self).poll(now)
    }
    fn next_due(&self) -> Option<UnixNanos> {
        (**self).next_due()
    }
    fn close(&mut self) {
        (**self).close();
    }
    fn accepts_commands(&self) -> bool {
        (**self).accepts_commands()
    }
}
