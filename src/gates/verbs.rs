//! The verbs that decide how a message name reads: a command is named by an imperative
//! (`PlaceOrder`, `BackUpCluster`), an event by a past form (`OrderPlaced`,
//! `ClusterBackedUp`). The built-in list covers the command verbs common in
//! event-driven systems; `gates: {schema_consistency: {verbs: {imperative: [...],
//! past: [...]}}}` in hnp-events.yaml extends it.
//!
//! Words that are mostly nouns at the start of a name (`Order`, `Price`, `Report`,
//! `Queue`, `End`, `Block`, `Print`, ...) are left out on purpose: with them `OrderLine`
//! or `BlockEvent` would read as commands. So are `Receive` and `Subscribe`, which start
//! names taken from the operation (`receiveSumResult`, an unnamed 2.x
//! `subscribe.message`) rather than commands. A project that uses one as a verb adds it in
//! the config. (Over the shared corpus, this list gives every operation the same kind
//! as the former list of 60 verbs did.)
//!
//! Owns the word lists and their lookup; `crate::classify::naming_with` decides.

use std::collections::HashSet;
use std::sync::LazyLock;

/// Each verb in the imperative (PascalCase; phrasal verbs joined: `BackUp`) with its
/// past forms (participle first). A past form that ends in `-ed` would be recognised
/// anyway; it is listed so that the test checks every spelling.
pub const VERBS: &[(&str, &[&str])] = &[
    ("Accept", &["Accepted"]),
    ("Accrue", &["Accrued"]),
    ("Acknowledge", &["Acknowledged"]),
    ("Acquire", &["Acquired"]),
    ("Activate", &["Activated"]),
    ("Add", &["Added"]),
    ("Adjust", &["Adjusted"]),
    ("Adopt", &["Adopted"]),
    ("Advance", &["Advanced"]),
    ("Allocate", &["Allocated"]),
    ("Allow", &["Allowed"]),
    ("Amend", &["Amended"]),
    ("Annotate", &["Annotated"]),
    ("Anonymize", &["Anonymized"]),
    ("Append", &["Appended"]),
    ("Apply", &["Applied"]),
    ("Approve", &["Approved"]),
    ("Archive", &["Archived"]),
    ("Arrange", &["Arranged"]),
    ("Assemble", &["Assembled"]),
    ("Assess", &["Assessed"]),
    ("Assign", &["Assigned"]),
    ("Attach", &["Attached"]),
    ("Attempt", &["Attempted"]),
    ("Authenticate", &["Authenticated"]),
    ("Authorize", &["Authorized"]),
    ("BackUp", &["BackedUp"]),
    ("Backfill", &["Backfilled"]),
    ("Backup", &["BackedUp"]),
    ("Ban", &["Banned"]),
    ("Bind", &["Bound"]),
    ("Boost", &["Boosted"]),
    ("Broadcast", &["Broadcast", "Broadcasted"]),
    ("Build", &["Built"]),
    ("Bump", &["Bumped"]),
    ("Calculate", &["Calculated"]),
    ("Calibrate", &["Calibrated"]),
    ("CallBack", &["CalledBack"]),
    ("Cancel", &["Canceled", "Cancelled"]),
    ("Capture", &["Captured"]),
    ("CarryOver", &["CarriedOver"]),
    ("Categorize", &["Categorized"]),
    ("Certify", &["Certified"]),
    ("Change", &["Changed"]),
    ("Charge", &["Charged"]),
    ("Check", &["Checked"]),
    ("CheckIn", &["CheckedIn"]),
    ("CheckOut", &["CheckedOut"]),
    ("Choose", &["Chosen", "Chose"]),
    ("Clamp", &["Clamped"]),
    ("Clean", &["Cleaned"]),
    ("CleanUp", &["CleanedUp"]),
    ("Clear", &["Cleared"]),
    ("Clone", &["Cloned"]),
    ("Close", &["Closed"]),
    ("Collapse", &["Collapsed"]),
    ("Collect", &["Collected"]),
    ("Commission", &["Commissioned"]),
    ("Commit", &["Committed"]),
    ("Compact", &["Compacted"]),
    ("Compare", &["Compared"]),
    ("Compensate", &["Compensated"]),
    ("Complete", &["Completed"]),
    ("Compose", &["Composed"]),
    ("Compress", &["Compressed"]),
    ("Compute", &["Computed"]),
    ("Configure", &["Configured"]),
    ("Confirm", &["Confirmed"]),
    ("Connect", &["Connected"]),
    ("Consolidate", &["Consolidated"]),
    ("Consume", &["Consumed"]),
    ("Contain", &["Contained"]),
    ("Continue", &["Continued"]),
    ("Convert", &["Converted"]),
    ("Copy", &["Copied"]),
    ("Correct", &["Corrected"]),
    ("Create", &["Created"]),
    ("Deactivate", &["Deactivated"]),
    ("Decline", &["Declined"]),
    ("Decommission", &["Decommissioned"]),
    ("Decrement", &["Decremented"]),
    ("Decrypt", &["Decrypted"]),
    ("Deduct", &["Deducted"]),
    ("Deduplicate", &["Deduplicated"]),
    ("Defer", &["Deferred"]),
    ("Define", &["Defined"]),
    ("Delegate", &["Delegated"]),
    ("Delete", &["Deleted"]),
    ("Deliver", &["Delivered"]),
    ("Demote", &["Demoted"]),
    ("Deny", &["Denied"]),
    ("Deploy", &["Deployed"]),
    ("Deposit", &["Deposited"]),
    ("Deprecate", &["Deprecated"]),
    ("Deprovision", &["Deprovisioned"]),
    ("Deregister", &["Deregistered"]),
    ("Describe", &["Described"]),
    ("Detach", &["Detached"]),
    ("Detect", &["Detected"]),
    ("Disable", &["Disabled"]),
    ("Disapprove", &["Disapproved"]),
    ("Disburse", &["Disbursed"]),
    ("Discard", &["Discarded"]),
    ("Disconnect", &["Disconnected"]),
    ("Discover", &["Discovered"]),
    ("Dismantle", &["Dismantled"]),
    ("Dismiss", &["Dismissed"]),
    ("Dispatch", &["Dispatched"]),
    ("Disperse", &["Dispersed"]),
    ("Dispute", &["Disputed"]),
    ("Distribute", &["Distributed"]),
    ("Download", &["Downloaded"]),
    ("Drain", &["Drained"]),
    ("Drop", &["Dropped"]),
    ("Duplicate", &["Duplicated"]),
    ("Edit", &["Edited"]),
    ("Embed", &["Embedded"]),
    ("Emit", &["Emitted"]),
    ("Enable", &["Enabled"]),
    ("Encode", &["Encoded"]),
    ("Encrypt", &["Encrypted"]),
    ("Enforce", &["Enforced"]),
    ("Enqueue", &["Enqueued"]),
    ("Enrich", &["Enriched"]),
    ("Enroll", &["Enrolled"]),
    ("Ensure", &["Ensured"]),
    ("Escalate", &["Escalated"]),
    ("Estimate", &["Estimated"]),
    ("Evacuate", &["Evacuated"]),
    ("Evaluate", &["Evaluated"]),
    ("Evict", &["Evicted"]),
    ("Execute", &["Executed"]),
    ("Expand", &["Expanded"]),
    ("Expedite", &["Expedited"]),
    ("Expire", &["Expired"]),
    ("Export", &["Exported"]),
    ("Extend", &["Extended"]),
    ("Extract", &["Extracted"]),
    ("Fail", &["Failed"]),
    ("Fetch", &["Fetched"]),
    ("Fill", &["Filled"]),
    ("FillIn", &["FilledIn"]),
    ("FillOut", &["FilledOut"]),
    ("Finalize", &["Finalized"]),
    ("Find", &["Found"]),
    ("Finish", &["Finished"]),
    ("Fix", &["Fixed"]),
    ("Flag", &["Flagged"]),
    ("Flip", &["Flipped"]),
    ("Flush", &["Flushed"]),
    ("Fold", &["Folded"]),
    ("Follow", &["Followed"]),
    ("Like", &["Liked"]),
    ("Unlike", &["Unliked"]),
    ("Unfollow", &["Unfollowed"]),
    ("Upvote", &["Upvoted"]),
    ("Downvote", &["Downvoted"]),
    ("Fork", &["Forked"]),
    ("Forward", &["Forwarded"]),
    ("Freeze", &["Frozen", "Froze"]),
    ("Fulfill", &["Fulfilled"]),
    ("Gather", &["Gathered"]),
    ("Generate", &["Generated"]),
    ("Get", &["Got", "Gotten"]),
    ("Grant", &["Granted"]),
    ("Halt", &["Halted"]),
    ("HandOff", &["HandedOff"]),
    ("HandOver", &["HandedOver"]),
    ("Handle", &["Handled"]),
    ("Hibernate", &["Hibernated"]),
    ("Hide", &["Hidden", "Hid"]),
    ("Hold", &["Held"]),
    ("Hydrate", &["Hydrated"]),
    ("Identify", &["Identified"]),
    ("Ignore", &["Ignored"]),
    ("Import", &["Imported"]),
    ("Increment", &["Incremented"]),
    ("Init", &["Initialized"]),
    ("Initialize", &["Initialized"]),
    ("Initiate", &["Initiated"]),
    ("Inject", &["Injected"]),
    ("Insert", &["Inserted"]),
    ("Inspect", &["Inspected"]),
    ("Install", &["Installed"]),
    ("Instantiate", &["Instantiated"]),
    ("Insure", &["Insured"]),
    ("Integrate", &["Integrated"]),
    ("Invalidate", &["Invalidated"]),
    ("Invert", &["Inverted"]),
    ("Invite", &["Invited"]),
    ("Invoice", &["Invoiced"]),
    ("Invoke", &["Invoked"]),
    ("Isolate", &["Isolated"]),
    ("Keep", &["Kept"]),
    ("KickOff", &["KickedOff"]),
    ("Launch", &["Launched"]),
    ("Leave", &["Left"]),
    ("Lend", &["Lent"]),
    ("List", &["Listed"]),
    ("Load", &["Loaded"]),
    ("Localize", &["Localized"]),
    ("Lock", &["Locked"]),
    ("LogIn", &["LoggedIn"]),
    ("LogOut", &["LoggedOut"]),
    ("LookUp", &["LookedUp"]),
    ("Mark", &["Marked"]),
    ("Materialize", &["Materialized"]),
    ("Measure", &["Measured"]),
    ("Merge", &["Merged"]),
    ("Migrate", &["Migrated"]),
    ("Mint", &["Minted"]),
    ("Modify", &["Modified"]),
    ("Mount", &["Mounted"]),
    ("Move", &["Moved"]),
    ("Mute", &["Muted"]),
    ("Negotiate", &["Negotiated"]),
    ("Nominate", &["Nominated"]),
    ("Normalize", &["Normalized"]),
    ("Notify", &["Notified"]),
    ("Obfuscate", &["Obfuscated"]),
    ("Obtain", &["Obtained"]),
    ("Onboard", &["Onboarded"]),
    ("Open", &["Opened"]),
    ("OptIn", &["OptedIn"]),
    ("OptOut", &["OptedOut"]),
    ("Optimize", &["Optimized"]),
    ("Orchestrate", &["Orchestrated"]),
    ("Outsource", &["Outsourced"]),
    ("Override", &["Overridden", "Overrode"]),
    ("Paginate", &["Paginated"]),
    ("Parse", &["Parsed"]),
    ("Partition", &["Partitioned"]),
    ("Patch", &["Patched"]),
    ("Pause", &["Paused"]),
    ("Pay", &["Paid"]),
    ("Perform", &["Performed"]),
    ("Persist", &["Persisted"]),
    ("Pick", &["Picked"]),
    ("PickUp", &["PickedUp"]),
    ("Pin", &["Pinned"]),
    ("Place", &["Placed"]),
    ("Poll", &["Polled"]),
    ("Post", &["Posted"]),
    ("Postpone", &["Postponed"]),
    ("PowerOff", &["PoweredOff"]),
    ("PowerOn", &["PoweredOn"]),
    ("Preload", &["Preloaded"]),
    ("Prepare", &["Prepared"]),
    ("Preserve", &["Preserved"]),
    ("Prevent", &["Prevented"]),
    ("Prioritize", &["Prioritized"]),
    ("Probe", &["Probed"]),
    ("Process", &["Processed"]),
    ("Procure", &["Procured"]),
    ("Produce", &["Produced"]),
    ("Promote", &["Promoted"]),
    ("Propose", &["Proposed"]),
    ("Provision", &["Provisioned"]),
    ("Prune", &["Pruned"]),
    ("Publish", &["Published"]),
    ("Pull", &["Pulled"]),
    ("Purchase", &["Purchased"]),
    ("Purge", &["Purged"]),
    ("Push", &["Pushed"]),
    ("Put", &["Put"]),
    ("Qualify", &["Qualified"]),
    ("Quarantine", &["Quarantined"]),
    ("Raise", &["Raised"]),
    ("Reactivate", &["Reactivated"]),
    ("Read", &["Read"]),
    ("Reallocate", &["Reallocated"]),
    ("Reassign", &["Reassigned"]),
    ("Reauthorize", &["Reauthorized"]),
    ("Rebalance", &["Rebalanced"]),
    ("Rebase", &["Rebased"]),
    ("Rebook", &["Rebooked"]),
    ("Rebuild", &["Rebuilt"]),
    ("Recalculate", &["Recalculated"]),
    ("Recheck", &["Rechecked"]),
    ("Reclaim", &["Reclaimed"]),
    ("Recommend", &["Recommended"]),
    ("Recompute", &["Recomputed"]),
    ("Reconcile", &["Reconciled"]),
    ("Reconnect", &["Reconnected"]),
    ("Recover", &["Recovered"]),
    ("Redact", &["Redacted"]),
    ("Redeem", &["Redeemed"]),
    ("Redeliver", &["Redelivered"]),
    ("Redirect", &["Redirected"]),
    ("Reduce", &["Reduced"]),
    ("Reenable", &["Reenabled"]),
    ("Refresh", &["Refreshed"]),
    ("Refund", &["Refunded"]),
    ("Register", &["Registered"]),
    ("Reindex", &["Reindexed"]),
    ("Reissue", &["Reissued"]),
    ("Reject", &["Rejected"]),
    ("Release", &["Released"]),
    ("Reload", &["Reloaded"]),
    ("Relocate", &["Relocated"]),
    ("Remap", &["Remapped"]),
    ("Remind", &["Reminded"]),
    ("Remove", &["Removed"]),
    ("Rename", &["Renamed"]),
    ("Render", &["Rendered"]),
    ("Renew", &["Renewed"]),
    ("Reopen", &["Reopened"]),
    ("Reorder", &["Reordered"]),
    ("Repair", &["Repaired"]),
    ("Repay", &["Repaid"]),
    ("Replace", &["Replaced"]),
    ("Replay", &["Replayed"]),
    ("Replenish", &["Replenished"]),
    ("Replicate", &["Replicated"]),
    ("Reprocess", &["Reprocessed"]),
    ("Republish", &["Republished"]),
    ("Request", &["Requested"]),
    ("Requeue", &["Requeued"]),
    ("Rerun", &["Rerun", "Reran"]),
    ("Reschedule", &["Rescheduled"]),
    ("Resend", &["Resent"]),
    ("Reserve", &["Reserved"]),
    ("Reset", &["Reset"]),
    ("Reshard", &["Resharded"]),
    ("Resize", &["Resized"]),
    ("Resolve", &["Resolved"]),
    ("Restart", &["Restarted"]),
    ("Restore", &["Restored"]),
    ("Resubmit", &["Resubmitted"]),
    ("Resume", &["Resumed"]),
    ("Retain", &["Retained"]),
    ("Retire", &["Retired"]),
    ("Retract", &["Retracted"]),
    ("Retrieve", &["Retrieved"]),
    ("Retry", &["Retried"]),
    ("Reverse", &["Reversed"]),
    ("Revert", &["Reverted"]),
    ("Revoke", &["Revoked"]),
    ("Reward", &["Rewarded"]),
    ("RollBack", &["RolledBack"]),
    ("RollOut", &["RolledOut"]),
    ("RollOver", &["RolledOver"]),
    ("Rotate", &["Rotated"]),
    ("Route", &["Routed"]),
    ("Run", &["Run", "Ran"]),
    ("Sanitize", &["Sanitized"]),
    ("Save", &["Saved"]),
    ("Scale", &["Scaled"]),
    ("ScaleDown", &["ScaledDown"]),
    ("ScaleIn", &["ScaledIn"]),
    ("ScaleOut", &["ScaledOut"]),
    ("ScaleUp", &["ScaledUp"]),
    ("Scan", &["Scanned"]),
    ("Schedule", &["Scheduled"]),
    ("Seal", &["Sealed"]),
    ("Seed", &["Seeded"]),
    ("Select", &["Selected"]),
    ("Sell", &["Sold"]),
    ("Send", &["Sent"]),
    ("Set", &["Set"]),
    ("SetUp", &["SetUp"]),
    ("Settle", &["Settled"]),
    ("Shard", &["Sharded"]),
    ("Ship", &["Shipped"]),
    ("Shrink", &["Shrunk", "Shrank"]),
    ("ShutDown", &["ShutDown"]),
    ("Sign", &["Signed"]),
    ("SignIn", &["SignedIn"]),
    ("SignOut", &["SignedOut"]),
    ("SignUp", &["SignedUp"]),
    ("Simulate", &["Simulated"]),
    ("Skip", &["Skipped"]),
    ("Snooze", &["Snoozed"]),
    ("Sort", &["Sorted"]),
    ("SpinUp", &["SpunUp"]),
    ("Split", &["Split"]),
    ("Stage", &["Staged"]),
    ("Start", &["Started"]),
    ("Stash", &["Stashed"]),
    ("Stop", &["Stopped"]),
    ("Store", &["Stored"]),
    ("Submit", &["Submitted"]),
    ("Subtract", &["Subtracted"]),
    ("Suggest", &["Suggested"]),
    ("Summarize", &["Summarized"]),
    ("Suspend", &["Suspended"]),
    ("Swap", &["Swapped"]),
    ("Sync", &["Synced"]),
    ("Synchronize", &["Synchronized"]),
    ("Take", &["Taken", "Took"]),
    ("Tally", &["Tallied"]),
    ("TearDown", &["TornDown", "ToreDown"]),
    ("Terminate", &["Terminated"]),
    ("Test", &["Tested"]),
    ("Throttle", &["Throttled"]),
    ("Tokenize", &["Tokenized"]),
    ("TopUp", &["ToppedUp"]),
    ("Track", &["Tracked"]),
    ("Transfer", &["Transferred"]),
    ("Transform", &["Transformed"]),
    ("Translate", &["Translated"]),
    ("Trigger", &["Triggered"]),
    ("Truncate", &["Truncated"]),
    ("Unassign", &["Unassigned"]),
    ("Unblock", &["Unblocked"]),
    ("Undo", &["Undone", "Undid"]),
    ("Unfreeze", &["Unfrozen", "Unfroze"]),
    ("Unhide", &["Unhidden"]),
    ("Uninstall", &["Uninstalled"]),
    ("Unlink", &["Unlinked"]),
    ("Unlock", &["Unlocked"]),
    ("Unmute", &["Unmuted"]),
    ("Unpack", &["Unpacked"]),
    ("Unpause", &["Unpaused"]),
    ("Unpublish", &["Unpublished"]),
    ("Unregister", &["Unregistered"]),
    ("Unseal", &["Unsealed"]),
    ("Unset", &["Unset"]),
    ("Unstage", &["Unstaged"]),
    ("Unsubscribe", &["Unsubscribed"]),
    ("Unsuspend", &["Unsuspended"]),
    ("Unwrap", &["Unwrapped"]),
    ("Update", &["Updated"]),
    ("Upgrade", &["Upgraded"]),
    ("Uphold", &["Upheld"]),
    ("Upload", &["Uploaded"]),
    ("Upsert", &["Upserted"]),
    ("Validate", &["Validated"]),
    ("Verify", &["Verified"]),
    ("Vet", &["Vetted"]),
    ("Void", &["Voided"]),
    ("Waive", &["Waived"]),
    ("Wake", &["Woken", "Woke"]),
    ("Warm", &["Warmed"]),
    ("Warn", &["Warned"]),
    ("WindDown", &["WoundDown"]),
    ("Wipe", &["Wiped"]),
    ("Withdraw", &["Withdrawn", "Withdrew"]),
    ("Withhold", &["Withheld"]),
    ("Wrap", &["Wrapped"]),
    ("Write", &["Written", "Wrote"]),
    ("WriteBack", &["WrittenBack", "WroteBack"]),
    ("WriteOff", &["WrittenOff", "WroteOff"]),
];

/// Past forms of verbs that name what happened rather than a command (`MessageLost`,
/// `DeploymentDone`).
pub const OTHER_PAST: &[&str] = &[
    "Begun", "Broken", "Done", "Drawn", "Given", "Gone", "Known", "Lost", "Made", "Seen", "Shown",
    "Spent", "Thrown", "Won",
];

/// Particles of phrasal verbs: in `ClusterBackedUp` the verb is `Backed`.
pub const PARTICLES: &[&str] = &[
    "Up", "Down", "Out", "Off", "Over", "In", "On", "Back", "Away",
];

/// Imperatives and past forms, built-in plus configured.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Verbs {
    imperative: HashSet<String>,
    /// The verb word of each past form (`Backed` for `BackedUp`).
    past: HashSet<String>,
}

static BUILTIN: LazyLock<Verbs> = LazyLock::new(|| Verbs::extended(&[], &[]));

impl Verbs {
    /// The built-in lists.
    pub fn builtin() -> &'static Verbs {
        &BUILTIN
    }

    /// The built-in lists extended with configured words, written in any case and
    /// style (`place`, `Place`, `back up`, `backUp`).
    pub fn extended(imperative: &[String], past: &[String]) -> Verbs {
        let mut v = Verbs::default();
        let norm = |w: &str| crate::classify::words(w);
        for (imp, pasts) in VERBS {
            v.imperative.insert((*imp).to_string());
            for p in *pasts {
                if let Some(first) = norm(p).into_iter().next() {
                    v.past.insert(first);
                }
            }
        }
        v.past.extend(OTHER_PAST.iter().map(|p| (*p).to_string()));
        for w in imperative {
            let joined: String = norm(w).concat();
            if !joined.is_empty() {
                v.imperative.insert(joined);
            }
        }
        for w in past {
            if let Some(first) = norm(w).into_iter().next() {
                v.past.insert(first);
            }
        }
        v
    }

    /// Whether a name starting with `first` (and `second`) starts with an imperative.
    pub fn starts_imperative(&self, first: &str, second: Option<&str>) -> bool {
        self.imperative.contains(first)
            || second.is_some_and(|s| self.imperative.contains(&format!("{first}{s}")))
    }

    /// Whether a word is a past form: listed, or ending in `-ed` unless it is itself an
    /// imperative (`Embed`, `Seed`).
    pub fn is_past(&self, word: &str) -> bool {
        self.past.contains(word)
            || (word.len() > 3 && word.ends_with("ed") && !self.imperative.contains(word))
    }

    /// How many imperatives are known (for the README and tests).
    pub fn imperative_count(&self) -> usize {
        self.imperative.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::{Naming, naming, naming_with};

    #[test]
    fn the_lists_cover_common_command_verbs() {
        assert!(
            Verbs::builtin().imperative_count() >= 300,
            "{}",
            Verbs::builtin().imperative_count()
        );
        // The names of the issue that read as "not imperative" before.
        for name in [
            "PlaceOrder",
            "ReserveInventory",
            "ReleaseInventory",
            "ChargePayment",
            "SubmitApplication",
            "CancelOrder",
            "ApproveRefund",
            "BackUpCluster",
            "SignUpUser",
            "TopUpWallet",
            "Reset",
        ] {
            assert_eq!(naming(name), Naming::Imperative, "{name}");
        }
        for name in [
            "OrderPlaced",
            "InventoryReserved",
            "InventoryReleased",
            "PaymentCharged",
            "OrderCancelled",
            "OrderCanceled",
            "ClusterBackedUp",
            "WalletToppedUp",
            "PasswordReset",
            "EmailSent",
            "MessageLost",
            "DevicePoweredOn",
        ] {
            assert_eq!(naming(name), Naming::PastTense, "{name}");
        }
        // Nouns that start names are not commands.
        for name in [
            "OrderLine",
            "QueueDepth",
            "PriceList",
            "BlockEvent",
            "receiveSumResult",
            "subscribe.message",
        ] {
            assert_eq!(naming(name), Naming::Unclear, "{name}");
        }
    }

    /// Every verb reads as a command and each of its past forms as an event, in
    /// PascalCase, camelCase and snake_case.
    #[test]
    fn every_verb_and_past_form_reads_as_it_should() {
        let mut seen = HashSet::new();
        for (imp, pasts) in VERBS {
            assert!(seen.insert(*imp), "{imp} listed twice");
            assert!(!pasts.is_empty(), "{imp} has no past form");
            assert_eq!(naming(&format!("{imp}Widget")), Naming::Imperative, "{imp}");
            let snake = crate::classify::words(imp).join("_").to_lowercase();
            assert_eq!(
                naming(&format!("{snake}_widget")),
                Naming::Imperative,
                "{snake}"
            );
            for p in *pasts {
                assert_eq!(naming(&format!("Widget{p}")), Naming::PastTense, "{p}");
                let camel = format!("widget{p}");
                assert_eq!(naming(&camel), Naming::PastTense, "{camel}");
            }
        }
    }

    #[test]
    fn configured_verbs_extend_the_lists() {
        let extra = Verbs::extended(&["frobnicate".into(), "fan out".into()], &["swept".into()]);
        assert_eq!(naming("FrobnicateWidget"), Naming::Unclear);
        assert_eq!(naming_with("FrobnicateWidget", &extra), Naming::Imperative);
        assert_eq!(naming_with("FanOutJobs", &extra), Naming::Imperative);
        assert_eq!(naming("FloorSwept"), Naming::Unclear);
        assert_eq!(naming_with("FloorSwept", &extra), Naming::PastTense);
        // The built-in words stay.
        assert_eq!(naming_with("PlaceOrder", &extra), Naming::Imperative);
    }
}
