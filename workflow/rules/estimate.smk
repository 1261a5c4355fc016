rule estimate:
    input:
        canonical=f"{PROCESSED}/{{wave}}/canonical.parquet",
        harmonised=f"{PROCESSED}/{{wave}}/harmonised.parquet",
        classified=f"{PROCESSED}/{{wave}}/classified.parquet",
        comparability=f"{PROCESSED}/{{wave}}/comparability.csv",
        codebook=get_codebook,
    output:
        **get_estimate_outputs(f"{PROCESSED}/{{wave}}/estimates"),
        meta=f"{PROCESSED}/{{wave}}/estimates/wave_meta.json",
    params:
        wave=get_wave,
        settings=get_settings(),
    log:
        "logs/estimate/{wave}.log",
    threads: 1
    resources:
        mem_mb=get_mem_mb(1000, 80),
    conda:
        "../envs/drukmonitor.yaml"
    script:
        "../../scripts/estimate.py"


rule compare:
    input:
        unpack(get_comparison_inputs),
    output:
        comparison=f"{PROCESSED}/comparisons/{{comparison}}/comparison.parquet",
        comparison_csv=report(
            f"{PROCESSED}/comparisons/{{comparison}}/comparison.csv",
            caption="../report/comparison.rst",
            category="Vergelijkingen",
            labels={"vergelijking": "{comparison}"},
        ),
    params:
        comparison=lambda wildcards: comparison_config(config, wildcards.comparison),
        waves=lambda wildcards: {w: wave_config(config, w) for w in get_comparison_waves(wildcards)},
        settings=get_settings(),
    log:
        "logs/compare/{comparison}.log",
    threads: 1
    resources:
        mem_mb=4000,
    conda:
        "../envs/drukmonitor.yaml"
    script:
        "../../scripts/compare.py"
