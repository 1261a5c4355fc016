rule ingest:
    input:
        raw=get_raw_file,
        codebook=get_codebook,
    output:
        canonical=f"{PROCESSED}/{{wave}}/canonical.parquet",
        rejects=f"{PROCESSED}/{{wave}}/rejects.parquet",
        rejects_csv=f"{PROCESSED}/{{wave}}/rejects.csv",
        summary=f"{PROCESSED}/{{wave}}/ingest_summary.json",
    params:
        wave=get_wave,
    log:
        "logs/ingest/{wave}.log",
    threads: 1
    conda:
        "../envs/drukmonitor.yaml"
    resources:
        mem_mb=get_mem_mb(1000, 25),
    script:
        "../../scripts/ingest.py"
