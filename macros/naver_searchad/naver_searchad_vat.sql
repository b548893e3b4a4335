{#
    Naver Search Ad amounts with and without VAT (rate: var('naver_searchad__vat_rate'),
    0.1), rounded half away from zero to 0.0001 won, the precision of ARGO's money columns.
    Both sides are cast to numeric first, so DuckDB and Athena divide the same decimals.
#}
{% macro naver_searchad_excluding_vat(amount) -%}
    round(
        cast({{ amount }} as {{ dbt.type_numeric() }})
        / cast(1 + {{ var('naver_searchad__vat_rate') }} as {{ dbt.type_numeric() }}),
        4
    )
{%- endmacro %}

{% macro naver_searchad_including_vat(amount) -%}
    round(
        cast({{ amount }} as {{ dbt.type_numeric() }})
        * cast(1 + {{ var('naver_searchad__vat_rate') }} as {{ dbt.type_numeric() }}),
        4
    )
{%- endmacro %}
