rule classify:
    input:
        canonical=f"{PROCESSED}/{{wave}}/canonical.parquet",
        codebook=get_codebook,
        crosswalk=get_crosswalk,
    output:
        harmonised=f"{PROCESSED}/{{wave}}/harmonised.parquet",
        classified=f"{PROCESSED}/{{wave}}/classified.parquet",
        classified_csv=f"{PROCESSED}/{{wave}}/classified.csv",
        labels=f"{PROCESSED}/{{wave}}/labels.csv",
        comparability=f"{PROCESSED}/{{wave}}/comparability.csv",
    params:
        wave=get_wave,
        settings=get_settings(),
    log:
        "logs/classify/{wave}.log",
    threads: 1
    conda:
        "../envs/drukmonitor.yaml"
    resources:
        mem_mb=get_mem_mb(1000, 150),
    script:
        "../../scripts/classify.py"
