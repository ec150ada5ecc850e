//! A lane: one worker thread doing jobs in turn, fed through a channel. A latest-wins lane (modelled on gitui's
//! `AsyncSingleJob`) keeps one queued job per slot: a job submitted while another of its slot waits replaces it,
//! in its place in the queue, so the worker only ever starts the newest (the newest view asked for, the newest
//! search, the newest revision of the case). A FIFO lane keeps every job, in order. Closing a lane waits for the
//! jobs already submitted and hands back the worker.

use std::collections::VecDeque;
use std::io;
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::JoinHandle;

/// What a lane's thread does with each job.
pub trait Worker<J>: Send + 'static {
    /// Do one job; `false` when there is no point in doing more (whoever takes the results has gone).
    fn run(&mut self, job: J) -> bool;
}

impl<J, F: FnMut(J) -> bool + Send + 'static> Worker<J> for F {
    fn run(&mut self, job: J) -> bool {
        self(job)
    }
}

/// Whether two jobs are for the same slot (the later replaces the earlier while it waits).
pub type SameSlot<J> = fn(&J, &J) -> bool;

/// A worker thread and the channel feeding it.
pub struct Lane<J, W> {
    tx: Sender<J>,
    worker: JoinHandle<W>,
}

/// The worker thread stopped by panicking.
#[derive(Debug)]
pub struct LanePanicked;

impl<J: Send + 'static, W: Worker<J>> Lane<J, W> {
    /// A lane that does every job submitted, in order.
    pub fn fifo(name: &str, worker: W) -> io::Result<Self> {
        Self::spawn(name, None, worker)
    }

    /// A lane that keeps only the newest waiting job of each slot.
    pub fn latest_wins(name: &str, same_slot: SameSlot<J>, worker: W) -> io::Result<Self> {
        Self::spawn(name, Some(same_slot), worker)
    }

    fn spawn(name: &str, same_slot: Option<SameSlot<J>>, worker: W) -> io::Result<Self> {
        let (tx, rx) = mpsc::channel();
        let worker = std::thread::Builder::new()
            .name(name.to_string())
            .spawn(move || work(rx, same_slot, worker))?;
        Ok(Self { tx, worker })
    }

    /// Queue `job`; `false` when the worker has stopped.
    pub fn submit(&self, job: J) -> bool {
        self.tx.send(job).is_ok()
    }

    /// No more jobs: wait until the worker has done those submitted (the newest of each slot), and take it back.
    pub fn close(self) -> Result<W, LanePanicked> {
        let Self { tx, worker } = self;
        drop(tx);
        worker.join().map_err(|_| LanePanicked)
    }
}

/// The worker's loop: take everything submitted so far (newer jobs replacing waiting ones of their slot), do the
/// first, and again, until the lane is closed and its queue empty, or the worker says to stop.
fn work<J, W: Worker<J>>(rx: Receiver<J>, same_slot: Option<SameSlot<J>>, mut worker: W) -> W {
    let mut queue = VecDeque::new();
    loop {
        if queue.is_empty() {
            match rx.recv() {
                Ok(job) => enqueue(&mut queue, job, same_slot),
                Err(_) => return worker, // closed, and nothing waits
            }
        }
        for job in rx.try_iter() {
            enqueue(&mut queue, job, same_slot);
        }
        let Some(job) = queue.pop_front() else {
            continue;
        };
        if !worker.run(job) {
            return worker;
        }
    }
}

fn enqueue<J>(queue: &mut VecDeque<J>, job: J, same_slot: Option<SameSlot<J>>) {
    if let Some(same) = same_slot {
        if let Some(waiting) = queue.iter_mut().find(|w| same(w, &job)) {
            *waiting = job;
            return;
        }
    }
    queue.push_back(job);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc::channel;

    /// A job: its slot and its name.
    type Job = (char, &'static str);

    fn same_slot(a: &Job, b: &Job) -> bool {
        a.0 == b.0
    }

    /// A worker that reports each job it starts, then waits for the test's go-ahead before finishing it; it
    /// keeps the names of the jobs it did.
    struct Gated {
        started: Sender<&'static str>,
        go: Receiver<()>,
        done: Vec<&'static str>,
    }

    impl Worker<Job> for Gated {
        fn run(&mut self, job: Job) -> bool {
            let _ = self.started.send(job.1);
            let _ = self.go.recv();
            self.done.push(job.1);
            true
        }
    }

    /// A lane whose worker is busy with `first` (started, not finished), so what is submitted next waits.
    fn busy<F>(make: F, first: Job) -> (Lane<Job, Gated>, Sender<()>, Receiver<&'static str>)
    where
        F: FnOnce(Gated) -> io::Result<Lane<Job, Gated>>,
    {
        let (started_tx, started) = channel();
        let (go, go_rx) = channel();
        let lane = make(Gated {
            started: started_tx,
            go: go_rx,
            done: Vec::new(),
        })
        .unwrap();
        assert!(lane.submit(first));
        assert_eq!(started.recv(), Ok(first.1), "the worker took the first job");
        (lane, go, started)
    }

    /// Let the worker finish every job (the go-aheads wait in the channel), close the lane, and say what it did.
    fn finish(lane: Lane<Job, Gated>, go: Sender<()>, jobs: usize) -> Vec<&'static str> {
        for _ in 0..jobs {
            go.send(()).unwrap();
        }
        lane.close().unwrap().done
    }

    #[test]
    fn the_newest_job_of_each_slot_wins_in_its_place() {
        let (lane, go, _) = busy(|w| Lane::latest_wins("test", same_slot, w), ('v', "view 1"));
        for job in [
            ('v', "view 2"),
            ('r', "raw 1"),
            ('v', "view 3"),
            ('r', "raw 2"),
            ('s', "search 1"),
        ] {
            assert!(lane.submit(job));
        }
        let done = finish(lane, go, 4);
        assert_eq!(done, ["view 1", "view 3", "raw 2", "search 1"]);
    }

    #[test]
    fn a_fifo_lane_does_every_job_in_order() {
        let (lane, go, _) = busy(|w| Lane::fifo("test", w), ('o', "open case"));
        for job in [('e', "export 1"), ('e', "export 2"), ('o', "open again")] {
            assert!(lane.submit(job));
        }
        let done = finish(lane, go, 4);
        assert_eq!(done, ["open case", "export 1", "export 2", "open again"]);
    }

    #[test]
    fn closing_waits_for_the_last_job() {
        let (tx, rx) = channel();
        let lane =
            Lane::latest_wins("test", same_slot, move |job: Job| tx.send(job.1).is_ok()).unwrap();
        for job in [
            ('c', "revision 1"),
            ('c', "revision 2"),
            ('c', "revision 3"),
        ] {
            lane.submit(job);
        }
        // Closed at once: the newest revision is written before `close` returns (older ones may have been too).
        assert!(lane.close().is_ok());
        let done: Vec<&str> = rx.try_iter().collect();
        assert_eq!(done.last(), Some(&"revision 3"), "{done:?}");
        assert!(done.len() <= 3);
    }

    #[test]
    fn a_worker_that_says_stop_takes_no_more_jobs() {
        let (tx, rx) = channel();
        let lane = Lane::fifo("test", move |job: Job| {
            let _ = tx.send(job.1);
            job.1 != "last wanted"
        })
        .unwrap();
        for job in [('a', "first"), ('a', "last wanted"), ('a', "never done")] {
            lane.submit(job);
        }
        assert!(lane.close().is_ok());
        let done: Vec<&str> = rx.try_iter().collect();
        assert_eq!(done, ["first", "last wanted"]);
    }
}
