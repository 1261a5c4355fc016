# drukmonitor: the annual monitor of experienced improper pressure ("ervaren oneigenlijke druk").
# This file only wires the stages together; each stage lives in workflow/rules/<stage>.smk.


configfile: "config/config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/ingest.smk"
include: "workflow/rules/classify.smk"
include: "workflow/rules/estimate.smk"
include: "workflow/rules/export.smk"
include: "workflow/rules/provenance.smk"
include: "workflow/rules/report.smk"


rule all:
    input:
        get_final_outputs(),
    default_target: True
