rule export:
    input:
        harmonised=f"{PROCESSED}/{{wave}}/harmonised.parquet",
        classified=f"{PROCESSED}/{{wave}}/classified.parquet",
        comparability=f"{PROCESSED}/{{wave}}/comparability.csv",
    output:
        sav=f"{PROCESSED}/{{wave}}/export/drukmonitor_{{wave}}.sav",
        csv=f"{PROCESSED}/{{wave}}/export/drukmonitor_{{wave}}.csv",
        parquet=f"{PROCESSED}/{{wave}}/export/drukmonitor_{{wave}}.parquet",
        datapackage=f"{PROCESSED}/{{wave}}/export/datapackage.json",
        labels=f"{PROCESSED}/{{wave}}/export/labels.csv",
    params:
        wave=get_wave,
        key_env=get_settings()["pseudonym_key_env"],
    log:
        "logs/export/{wave}.log",
    threads: 1
    resources:
        mem_mb=get_mem_mb(1000, 100),
    conda:
        "../envs/drukmonitor.yaml"
    script:
        "../../scripts/export.py"
