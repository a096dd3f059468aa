//! The shardkv tester isolates servers as the course's does: a shut-down server's ends,
//! to its group and to the controllers, are disabled and stay so while other servers
//! restart, so a server whose `kill` does not really stop it cannot reach anyone.

use common::sim;
use lab5_shardkv::shardkv::tester::Tester;

#[test]
fn a_dead_servers_ends_stay_disabled_while_others_restart() {
    sim::run(|| async {
        let t = Tester::new(false, None);
        let dead = t.end_names_of(0, 1);
        assert_eq!(
            dead.len(),
            3 + 3,
            "ends to its 3 peers and the 3 controllers"
        );
        assert!(
            dead.iter().all(|e| t.net().is_enabled(e)),
            "started connected"
        );

        t.shutdown_server(0, 1);
        let disabled = |names: &[String]| names.iter().all(|e| !t.net().is_enabled(e));
        assert!(disabled(&dead), "shutdown disables every end of the server");

        // Restarting a neighbour, then the whole of another group, enables only their ends.
        t.shutdown_server(0, 2);
        t.start_server(0, 2);
        t.shutdown_group(1);
        t.start_group(1);
        assert!(
            disabled(&dead),
            "a restart elsewhere must not revive a dead server's ends"
        );
        let alive = t.end_names_of(0, 2);
        assert!(alive.iter().all(|e| t.net().is_enabled(e)));

        // The dead server comes back on new ends, all enabled.
        t.start_server(0, 1);
        let back = t.end_names_of(0, 1);
        assert!(back.iter().all(|e| t.net().is_enabled(e)));
        assert!(
            back.iter().all(|e| !dead.contains(e)),
            "new ends, new names"
        );
        t.cleanup();
    });
}
