{#
    A Naver Search Ad campaign's or ad group's daily budget: `uses_daily_budget`
    (`useDailyBudget`, missing read as false) and `daily_budget`, null where no daily
    budget is in use: Naver keeps the last daily budget when the advertiser turns it off.
#}
{% macro naver_searchad_daily_budget_columns() -%}
    coalesce(use_daily_budget, false) as uses_daily_budget,
        cast(
            case when use_daily_budget then daily_budget end as {{ dbt.type_numeric() }}
        ) as daily_budget
{%- endmacro %}
