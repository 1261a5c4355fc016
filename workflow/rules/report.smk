# Reports (issue #6, docs/spec/reporting.md "Reports"; outline: workflow/report_templates/outlines.yaml).
# Every report reads only published (disclosure-controlled) tables plus metadata, writes a
# results-only .qmd and renders it to self-contained HTML and PDF (drukmonitor.render: quarto when
# on PATH, else pandoc+typst). Figures go to <report>/figuren/. A wave's reports carry their own
# provenance summary (its raw file's SHA-256 from ingest, the hash of the configuration they rest
# on, git commit, renderer), so adding a wave re-renders only what includes it; the audit report
# carries the run's full manifest (provenance.smk).


rule report_monitor:
    input:
        unpack(get_monitor_report_inputs),
    output:
        **report_outputs(
            "monitor_{wave}",
            report_item=dict(caption="../report/report_monitor.rst", category="Rapporten", subcategory="Monitor", labels={"rapport": "monitor_{wave}"}),
        ),
    params:
        settings=get_settings(),
        organisation=config["organisation"],
        provenance=lambda wildcards: report_provenance_config([wildcards.wave]),
    log:
        "logs/report/monitor_{wave}.log",
    threads: 1
    resources:
        mem_mb=2000,
    conda:
        "../envs/drukmonitor.yaml"
    script:
        "../../scripts/report_monitor.py"


rule report_comparison:
    input:
        unpack(get_comparison_report_inputs),
    output:
        **report_outputs(
            "vergelijking_{comparison}",
            report_item=dict(caption="../report/report_comparison.rst", category="Rapporten", subcategory="Vergelijking", labels={"rapport": "vergelijking_{comparison}"}),
        ),
    params:
        comparison=lambda wildcards: comparison_config(config, wildcards.comparison),
        waves=get_comparison_waves,
        settings=get_settings(),
        organisation=config["organisation"],
        provenance=lambda wildcards: report_provenance_config(get_comparison_waves(wildcards), wildcards.comparison),
    log:
        "logs/report/vergelijking_{comparison}.log",
    threads: 1
    resources:
        mem_mb=2000,
    conda:
        "../envs/drukmonitor.yaml"
    script:
        "../../scripts/report_comparison.py"


rule report_team_sheets:
    input:
        prevalence=f"{PROCESSED}/{{wave}}/estimates/prevalence.parquet",
        meta=f"{PROCESSED}/{{wave}}/estimates/wave_meta.json",
        codebook=get_codebook,
        crosswalk=get_crosswalk,
        summary=f"{PROCESSED}/{{wave}}/ingest_summary.json",
        templates=REPORT_TEMPLATE_FILES,
        labels=LABELS_FILE,
    output:
        **report_outputs(
            "teambladen_{wave}",
            report_item=dict(caption="../report/report_team_sheets.rst", category="Rapporten", subcategory="Teambladen", labels={"rapport": "teambladen_{wave}"}),
        ),
    params:
        settings=get_settings(),
        organisation=config["organisation"],
        provenance=lambda wildcards: report_provenance_config([wildcards.wave]),
    log:
        "logs/report/teambladen_{wave}.log",
    threads: 1
    resources:
        mem_mb=2000,
    conda:
        "../envs/drukmonitor.yaml"
    script:
        "../../scripts/report_team_sheets.py"


rule report_audit:
    input:
        unpack(get_audit_report_inputs),
    output:
        **report_outputs(
            "audit",
            report_item=dict(caption="../report/report_audit.rst", category="Rapporten", subcategory="Audit", labels={"rapport": "audit"}),
        ),
    params:
        waves=config["waves"],
        settings=get_settings(),
        organisation=config["organisation"],
        key_env=get_settings()["pseudonym_key_env"],
    log:
        f"logs/report/audit_{config['run_id']}.log",
    threads: 1
    resources:
        mem_mb=2000,
    conda:
        "../envs/drukmonitor.yaml"
    script:
        "../../scripts/report_audit.py"
