//! The declared `rust-version` is what the locked dependencies actually need: no
//! dependency in Cargo.lock that the binary builds with declares a newer one, so
//! `cargo install --locked` works with the toolchain the manifest names.

use serde_json::Value;

use crate::util::repo;

/// `1.88` and `1.88.0` alike, as (major, minor, patch).
fn parse(v: &str) -> [u32; 3] {
    let mut out = [0; 3];
    for (slot, part) in out.iter_mut().zip(v.split('.')) {
        *slot = part.parse().unwrap_or(0);
    }
    out
}

#[test]
fn rust_version_covers_every_locked_dependency() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = std::process::Command::new(cargo)
        .args(["metadata", "--locked", "--offline", "--format-version", "1"])
        .current_dir(repo())
        .output()
        .expect("run cargo metadata");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: Value = serde_json::from_slice(&out.stdout).expect("metadata is JSON");
    let packages = meta["packages"].as_array().expect("packages");
    let ours = packages
        .iter()
        .find(|p| p["name"] == "hnp-events")
        .expect("our package");
    let declared = parse(
        ours["rust_version"]
            .as_str()
            .expect("rust-version is declared"),
    );
    // Dependencies reached through normal and build edges (dev-dependencies only build
    // the tests, not what `cargo install` builds).
    let nodes = meta["resolve"]["nodes"].as_array().expect("resolve");
    let by_id = |id: &str| nodes.iter().find(|n| n["id"] == id);
    let mut stack = vec![ours["id"].as_str().expect("id").to_string()];
    let mut seen = std::collections::BTreeSet::new();
    let mut too_new = Vec::new();
    while let Some(id) = stack.pop() {
        if !seen.insert(id.clone()) {
            continue;
        }
        let Some(node) = by_id(&id) else { continue };
        for dep in node["deps"].as_array().into_iter().flatten() {
            let kinds = dep["dep_kinds"].as_array().into_iter().flatten();
            let runtime = kinds
                .clone()
                .any(|k| k["kind"].is_null() || k["kind"] == "build");
            if runtime {
                stack.push(dep["pkg"].as_str().unwrap_or_default().to_string());
            }
        }
        if id == ours["id"] {
            continue;
        }
        let pkg = packages.iter().find(|p| p["id"] == id.as_str());
        if let Some(rv) = pkg.and_then(|p| p["rust_version"].as_str()) {
            if parse(rv) > declared {
                too_new.push(format!(
                    "{} {} needs {rv}",
                    pkg.map_or("?", |p| p["name"].as_str().unwrap_or("?")),
                    pkg.map_or("?", |p| p["version"].as_str().unwrap_or("?"))
                ));
            }
        }
    }
    assert!(
        seen.len() > 20,
        "the dependency walk found too few packages ({})",
        seen.len()
    );
    assert!(
        too_new.is_empty(),
        "Cargo.toml declares rust-version {} but locked dependencies need more:\n{}",
        ours["rust_version"],
        too_new.join("\n")
    );
}
