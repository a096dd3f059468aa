//! The course's catalogue: each sub-lab and its course tests, by name, as the grader and
//! the mutant suite need it. Written out rather than discovered, so that a course test that
//! goes missing or is renamed is an error where it is used, not a test quietly not run.

/// The prefix of the tests beyond the course: this workspace's own black-box tests.
pub const EXTRA_PREFIX: &str = "beyond_";

/// The extra tests named in the stress runner's `--list` output (`package --test target
/// name executable` per line).
pub fn extra_tests(listing: &str) -> Vec<String> {
    listing
        .lines()
        .flat_map(str::split_whitespace)
        .filter(|w| w.starts_with(EXTRA_PREFIX))
        .map(str::to_string)
        .collect()
}

/// The extra tests, each with the classic mistake it is there to catch (for the grader's
/// verdict). Written out as the course's tests are; a unit test checks the list against
/// the `beyond_` tests in the labs' test files.
pub const EXTRA_TESTS: &[(&str, &str)] = &[
    (
        "beyond_elections_after_a_common_restart_3a",
        "a term that does not survive a restart",
    ),
    (
        "beyond_stale_candidates_do_not_stall_elections_3b",
        "an election timer restarted by a refused vote",
    ),
    (
        "beyond_vote_survives_an_immediate_crash_3c",
        "a vote or a term that does not survive a restart",
    ),
    (
        "beyond_vote_saved_before_its_reply_3c",
        "a vote saved after its reply has left",
    ),
    (
        "beyond_votes_survive_crashes_3c",
        "a vote that does not survive a crash",
    ),
    (
        "beyond_late_replies_3c",
        "a reply from an older term counted in a newer one",
    ),
    (
        "beyond_torture_3c",
        "a safety or liveness bug under random crashes, partitions and delays",
    ),
    (
        "beyond_requests_across_a_snapshot_point_3d",
        "index arithmetic at a snapshot point, or a snapshot older than what was applied",
    ),
    (
        "beyond_torture_snapshots_3d",
        "a safety or liveness bug under random faults, with snapshots",
    ),
    (
        "beyond_no_read_from_a_deposed_leader_4a",
        "a read served by a deposed leader, or a server that waits for ever on an entry it cannot commit",
    ),
    (
        "beyond_retry_after_a_restart_from_a_snapshot_4b",
        "a duplicate table left out of the snapshot",
    ),
    (
        "beyond_shards_arrive_once_when_leaders_crash_5b",
        "a shard installed again over the writes made since it arrived",
    ),
];

/// What extra test `test` is there to catch.
pub fn catches(test: &str) -> Option<&'static str> {
    EXTRA_TESTS
        .iter()
        .find(|(name, _)| *name == test)
        .map(|(_, what)| *what)
}

/// One sub-lab of the course: its package and its course tests, by name.
pub struct SubLab {
    /// How a command line names it: `3a`, `5ch`.
    pub id: &'static str,
    /// Its name in the scorecard.
    pub title: &'static str,
    /// The package of its tests.
    pub package: &'static str,
    /// Its course tests, in the course's order.
    pub tests: &'static [&'static str],
}

/// Lab 3's course tests by part: the same names in both editions (the 2026 course kept
/// the protocol and the tests, and changed the harness).
const RAFT_3A: &[&str] = &[
    "test_initial_election_3a",
    "test_re_election_3a",
    "test_many_elections_3a",
];
const RAFT_3B: &[&str] = &[
    "test_basic_agree_3b",
    "test_rpc_bytes_3b",
    "test_follower_failure_3b",
    "test_leader_failure_3b",
    "test_fail_agree_3b",
    "test_fail_no_agree_3b",
    "test_concurrent_starts_3b",
    "test_rejoin_3b",
    "test_backup_3b",
    "test_count_3b",
];
const RAFT_3C: &[&str] = &[
    "test_persist1_3c",
    "test_persist2_3c",
    "test_persist3_3c",
    "test_figure8_3c",
    "test_unreliable_agree_3c",
    "test_figure8_unreliable_3c",
    "test_reliable_churn_3c",
    "test_unreliable_churn_3c",
];
const RAFT_3D: &[&str] = &[
    "test_snapshot_basic_3d",
    "test_snapshot_install_3d",
    "test_snapshot_install_unreliable_3d",
    "test_snapshot_install_crash_3d",
    "test_snapshot_install_uncrash_3d",
    "test_snapshot_all_crash_3d",
    "test_snapshot_init_3d",
];

/// Every sub-lab, in the course's order.
pub const SUBLABS: &[SubLab] = &[
    SubLab {
        id: "1",
        title: "Lab 1: MapReduce",
        package: "lab1-mapreduce",
        tests: &[
            "test_wc",
            "test_indexer",
            "test_map_parallelism",
            "test_reduce_parallelism",
            "test_job_count",
            "test_early_exit",
            "test_crash",
        ],
    },
    SubLab {
        id: "2",
        title: "Lab 2: key/value server",
        package: "lab2-kvsrv",
        tests: &[
            "test_basic_2",
            "test_concurrent_2",
            "test_unreliable_2",
            "test_unreliable_one_key_2",
            "test_mem_get_2",
            "test_mem_put_2",
            "test_mem_append_2",
            "test_mem_put_many_clients",
            "test_mem_get_many_clients",
            "test_mem_many_appends",
        ],
    },
    SubLab {
        id: "3a",
        title: "Lab 3A: leader election",
        package: "lab3-raft",
        tests: RAFT_3A,
    },
    SubLab {
        id: "3b",
        title: "Lab 3B: log",
        package: "lab3-raft",
        tests: RAFT_3B,
    },
    SubLab {
        id: "3c",
        title: "Lab 3C: persistence",
        package: "lab3-raft",
        tests: RAFT_3C,
    },
    SubLab {
        id: "3d",
        title: "Lab 3D: log compaction",
        package: "lab3-raft",
        tests: RAFT_3D,
    },
    SubLab {
        id: "4a",
        title: "Lab 4A: key/value service without snapshots",
        package: "lab4-kvraft",
        tests: &[
            "test_basic_4a",
            "test_speed_4a",
            "test_concurrent_4a",
            "test_unreliable_4a",
            "test_unreliable_one_key_4a",
            "test_one_partition_4a",
            "test_many_partitions_one_client_4a",
            "test_many_partitions_many_clients_4a",
            "test_persist_one_client_4a",
            "test_persist_concurrent_4a",
            "test_persist_concurrent_unreliable_4a",
            "test_persist_partition_4a",
            "test_persist_partition_unreliable_4a",
            "test_persist_partition_unreliable_linearizable_4a",
        ],
    },
    SubLab {
        id: "4b",
        title: "Lab 4B: key/value service with snapshots",
        package: "lab4-kvraft",
        tests: &[
            "test_snapshot_rpc_4b",
            "test_snapshot_size_4b",
            "test_speed_4b",
            "test_snapshot_recover_4b",
            "test_snapshot_recover_many_clients_4b",
            "test_snapshot_unreliable_4b",
            "test_snapshot_unreliable_recover_4b",
            "test_snapshot_unreliable_recover_concurrent_partition_4b",
            "test_snapshot_unreliable_recover_concurrent_partition_linearizable_4b",
        ],
    },
    SubLab {
        id: "5a",
        title: "Lab 5A: the shard controller and static shards",
        package: "lab5-shardkv",
        tests: &[
            "test_basic",
            "test_minimal_again",
            "test_multi",
            "test_static_shards_5a",
            "test_rejection_5a",
        ],
    },
    SubLab {
        id: "5b",
        title: "Lab 5B: shard movement",
        package: "lab5-shardkv",
        tests: &[
            "test_join_leave_5b",
            "test_snapshot_5b",
            "test_miss_change_5b",
            "test_concurrent1_5b",
            "test_concurrent2_5b",
            "test_concurrent3_5b",
            "test_unreliable1_5b",
            "test_unreliable2_5b",
            "test_unreliable3_5b",
        ],
    },
    SubLab {
        id: "5ch",
        title: "Lab 5 challenges: garbage collection, serving unaffected shards",
        package: "lab5-shardkv",
        tests: &[
            "test_challenge1_delete",
            "test_challenge2_unaffected",
            "test_challenge2_partial",
        ],
    },
];

/// Which course's tests: the 2024 edition (this workspace's first) or the 2026 one, whose
/// crates sit beside the 2024 ones (`lab4-kvraft/y2026`, package `lab4-kvraft-2026`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Edition {
    /// The 2024 course.
    #[default]
    Y2024,
    /// The 2026 course.
    Y2026,
}

impl Edition {
    /// The edition a command line names (`2024`, `2026`).
    ///
    /// # Errors
    /// Any other word, with the list of editions.
    pub fn parse(word: &str) -> Result<Edition, String> {
        match word {
            "2024" => Ok(Edition::Y2024),
            "2026" => Ok(Edition::Y2026),
            _ => Err(format!("{word:?} is not an edition (2024, 2026)")),
        }
    }

    /// Its year, as a command line names it.
    pub fn year(self) -> &'static str {
        match self {
            Edition::Y2024 => "2024",
            Edition::Y2026 => "2026",
        }
    }

    /// Its sub-labs, in the course's order.
    pub fn sublabs(self) -> &'static [SubLab] {
        match self {
            Edition::Y2024 => SUBLABS,
            Edition::Y2026 => SUBLABS_2026,
        }
    }
}

/// Every sub-lab of the 2026 course, in the course's order. Lab 4's parts are the 2026
/// ones: 4A the rsm layer, 4B kvraft1, 4C its snapshots (rsm's snapshot test is 4C's).
/// Lab 5 is the 2026 design (shardkv1): 5A moving shards, 5B a failed controller, 5C
/// concurrent controllers.
pub const SUBLABS_2026: &[SubLab] = &[
    SubLab {
        id: "1",
        title: "Lab 1: MapReduce (2026)",
        package: "lab1-mapreduce-2026",
        tests: &[
            "test_wc",
            "test_indexer",
            "test_map_parallel",
            "test_reduce_parallel",
            "test_job_count",
            "test_early_exit",
            "test_crash_worker",
        ],
    },
    SubLab {
        id: "2",
        title: "Lab 2: key/value server with versioned Put, and a lock (2026)",
        package: "lab2-kvsrv-2026",
        tests: &[
            "test_reliable_put",
            "test_put_concurrent_reliable",
            "test_mem_put_many_clients_reliable",
            "test_unreliable_net",
            "test_reliable_basic",
            "test_reliable_nested",
            "test_one_client_reliable",
            "test_many_clients_reliable",
            "test_one_client_unreliable",
            "test_many_clients_unreliable",
        ],
    },
    SubLab {
        id: "3a",
        title: "Lab 3A: leader election (2026)",
        package: "lab3-raft-2026",
        tests: RAFT_3A,
    },
    SubLab {
        id: "3b",
        title: "Lab 3B: log (2026)",
        package: "lab3-raft-2026",
        tests: RAFT_3B,
    },
    SubLab {
        id: "3c",
        title: "Lab 3C: persistence (2026)",
        package: "lab3-raft-2026",
        tests: RAFT_3C,
    },
    SubLab {
        id: "3d",
        title: "Lab 3D: log compaction (2026)",
        package: "lab3-raft-2026",
        tests: RAFT_3D,
    },
    SubLab {
        id: "4a",
        title: "Lab 4A: the replicated state machine layer, rsm (2026)",
        package: "lab4-kvraft-2026",
        tests: &[
            "test_basic_4a",
            "test_concurrent_4a",
            "test_leader_failure_4a",
            "test_leader_partition_4a",
            "test_restart_replay_4a",
            "test_shutdown_4a",
            "test_restart_submit_4a",
        ],
    },
    SubLab {
        id: "4b",
        title: "Lab 4B: key/value service on rsm, without snapshots (2026)",
        package: "lab4-kvraft-2026",
        tests: &[
            "test_basic_4b",
            "test_speed_4b",
            "test_concurrent_4b",
            "test_unreliable_4b",
            "test_one_partition_4b",
            "test_many_partitions_one_client_4b",
            "test_many_partitions_many_clients_4b",
            "test_persist_one_client_4b",
            "test_persist_concurrent_4b",
            "test_persist_concurrent_unreliable_4b",
            "test_persist_partition_4b",
            "test_persist_partition_unreliable_4b",
            "test_persist_partition_unreliable_linearizable_4b",
        ],
    },
    SubLab {
        id: "4c",
        title: "Lab 4C: key/value service with snapshots (2026)",
        package: "lab4-kvraft-2026",
        tests: &[
            "test_snapshot_4c",
            "test_snapshot_rpc_4c",
            "test_snapshot_size_4c",
            "test_speed_4c",
            "test_snapshot_recover_4c",
            "test_snapshot_recover_many_clients_4c",
            "test_snapshot_unreliable_4c",
            "test_snapshot_unreliable_recover_4c",
            "test_snapshot_unreliable_recover_concurrent_partition_4c",
            "test_snapshot_unreliable_recover_concurrent_partition_linearizable_4c",
        ],
    },
    SubLab {
        id: "5a",
        title: "Lab 5A: moving shards (2026)",
        package: "lab5-shardkv-2026",
        tests: &[
            "test_init_query_5a",
            "test_static_one_shard_group_5a",
            "test_join_basic_5a",
            "test_delete_basic_5a",
            "test_join_leave_basic_5a",
            "test_many_join_leave_reliable_5a",
            "test_many_join_leave_unreliable_5a",
            "test_shutdown_5a",
            "test_progress_shutdown_5a",
            "test_progress_join_5a",
            "test_one_concurrent_clerk_reliable_5a",
            "test_many_concurrent_clerk_reliable_5a",
            "test_one_concurrent_clerk_unreliable_5a",
            "test_many_concurrent_clerk_unreliable_5a",
        ],
    },
    SubLab {
        id: "5b",
        title: "Lab 5B: a controller that fails mid-change (2026)",
        package: "lab5-shardkv-2026",
        tests: &["test_join_leave_5b", "test_recover_ctrler_5b"],
    },
    SubLab {
        id: "5c",
        title: "Lab 5C: concurrent and partitioned controllers (2026)",
        package: "lab5-shardkv-2026",
        tests: &[
            "test_concurrent_reliable_5c",
            "test_acquire_lock_concurrent_unreliable_5c",
            "test_partition_controller_join_5c",
            "test_partition_recovery_reliable_no_clerk_5c",
            "test_partition_recovery_unreliable_no_clerk_5c",
            "test_partition_recovery_reliable_clerks_5c",
            "test_partition_recovery_unreliable_clerks_5c",
        ],
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use std::path::Path;

    /// Every `beyond_` test of the labs' test files is listed, and nothing else.
    #[test]
    fn the_extra_tests_are_those_of_the_labs() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut found = BTreeSet::new();
        for lab in ["lab3-raft", "lab4-kvraft", "lab5-shardkv"] {
            let Ok(dir) = std::fs::read_dir(root.join(lab).join("tests")) else {
                continue;
            };
            for file in dir.flatten() {
                let text = std::fs::read_to_string(file.path()).unwrap_or_default();
                for line in text.lines() {
                    if let Some(rest) = line.trim_start().strip_prefix("fn ")
                        && rest.starts_with(EXTRA_PREFIX)
                    {
                        found.insert(rest.split('(').next().unwrap_or_default().to_string());
                    }
                }
            }
        }
        let listed: BTreeSet<String> = EXTRA_TESTS.iter().map(|(t, _)| t.to_string()).collect();
        assert_eq!(found, listed);
        assert_eq!(catches("beyond_late_replies_3c"), Some(EXTRA_TESTS[5].1));
    }
}
