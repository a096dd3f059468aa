//! Majority arithmetic, as pure functions: which index a majority has stored, and whether
//! an election is won, lost or still open ([`Votes`] keeps one election's answers).

/// The highest index stored on a majority, given every peer's match index (the leader's
/// own last index included). Sorting descending, the majority-th value is held by that
/// many peers or more.
pub fn majority_index(match_index: &[u64]) -> u64 {
    let mut sorted = match_index.to_vec();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    sorted[match_index.len() / 2]
}

/// Where an election stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VoteResult {
    /// A majority granted its vote.
    Won,
    /// A majority refused: this election cannot be won.
    Lost,
    /// Neither yet.
    Pending,
}

/// The result of an election with these answers (`Some(granted)` per peer that answered).
pub fn vote_result(votes: &[Option<bool>]) -> VoteResult {
    let majority = votes.len() / 2 + 1;
    let granted = votes.iter().filter(|v| **v == Some(true)).count();
    let refused = votes.iter().filter(|v| **v == Some(false)).count();
    if granted >= majority {
        VoteResult::Won
    } else if refused >= majority {
        VoteResult::Lost
    } else {
        VoteResult::Pending
    }
}

/// The answers to one election (or pre-vote): per peer, `Some(granted)` once it answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Votes(Vec<Option<bool>>);

impl Votes {
    /// A new election of `me` in a cluster of `peers`: its own vote is granted.
    pub fn new(peers: usize, me: usize) -> Votes {
        let mut votes = vec![None; peers];
        votes[me] = Some(true);
        Votes(votes)
    }

    /// Records `from`'s answer (a later answer replaces an earlier one).
    pub fn record(&mut self, from: usize, granted: bool) {
        self.0[from] = Some(granted);
    }

    /// Where the election stands.
    pub fn result(&self) -> VoteResult {
        vote_result(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn majority_index_is_held_by_a_majority() {
        struct Case {
            match_index: &'static [u64],
            want: u64,
        }
        let cases = [
            Case {
                match_index: &[5],
                want: 5,
            },
            Case {
                match_index: &[5, 0, 0],
                want: 0,
            },
            Case {
                match_index: &[5, 3, 0],
                want: 3,
            },
            Case {
                match_index: &[5, 3, 4],
                want: 4,
            },
            Case {
                match_index: &[7, 1, 2, 6, 3],
                want: 3,
            },
            Case {
                match_index: &[7, 7, 2, 6, 1],
                want: 6,
            },
            Case {
                match_index: &[4, 4, 1, 1],
                want: 1,
            },
        ];
        for c in cases {
            assert_eq!(majority_index(c.match_index), c.want, "{:?}", c.match_index);
        }
    }

    #[test]
    fn elections_are_won_lost_or_pending() {
        let (y, n, u) = (Some(true), Some(false), None);
        assert_eq!(vote_result(&[y]), VoteResult::Won);
        assert_eq!(vote_result(&[y, u, u]), VoteResult::Pending);
        assert_eq!(vote_result(&[y, y, u]), VoteResult::Won);
        assert_eq!(vote_result(&[y, n, n]), VoteResult::Lost);
        assert_eq!(vote_result(&[y, n, u, u, y]), VoteResult::Pending);
        assert_eq!(vote_result(&[y, n, n, y, y]), VoteResult::Won);
        assert_eq!(
            vote_result(&[y, n, y, n]),
            VoteResult::Pending,
            "2 of 4 is no majority"
        );
    }
}
