{#
    ARGO's spend (before VAT, DECISIONLOG.md, 16) from Naver's `reported_cost`:
    `is_cost_vat_included` says whether Naver's cost for that report day includes VAT
    (from var('naver_searchad__vat_included_from')); if so VAT is taken off
    (`naver_searchad_excluding_vat`), otherwise the cost is the spend.
#}
{% macro naver_searchad_spend(reported_cost, is_cost_vat_included) -%}
    cast(
            case
                when {{ is_cost_vat_included }}
                    then {{ argo.naver_searchad_excluding_vat(reported_cost) }}
                else {{ reported_cost }}
            end
            as {{ dbt.type_numeric() }}
        )
{%- endmacro %}
