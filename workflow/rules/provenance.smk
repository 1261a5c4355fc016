# Provenance manifest of a run (issue #7): raw files, codebooks, crosswalks, labels, config hash,
# lock file, git commit, the renderer the reports will use, python and the pseudonymisation-key
# status (never the key). Deterministic: no timestamps. Every report reads it.


rule manifest:
    input:
        raw=[wave["file"] for wave in config["waves"]],
        codebooks=sorted({f"{CODEBOOKS}/{wave['instrument']}.yaml" for wave in config["waves"]}),
        crosswalks=sorted({f"{CROSSWALKS}/{wave['instrument']}.yaml" for wave in config["waves"]}),
        labels=LABELS_FILE,
        lock=LOCK_FILE,
        templates=REPORT_TEMPLATE_FILES,
    output:
        manifest=report(
            f"{REPORTS}/provenance.json",
            caption="../report/provenance.rst",
            category="Herkomst",
            labels={"bestand": "provenance.json"},
        ),
    params:
        config=lambda wildcards: config,
        repo=lambda wildcards: REPO_DIR,
        key_env=get_settings()["pseudonym_key_env"],
    log:
        f"logs/provenance/{config['run_id']}.log",
    threads: 1
    resources:
        mem_mb=500,
    conda:
        "../envs/drukmonitor.yaml"
    script:
        "../../scripts/manifest.py"
