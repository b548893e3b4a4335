-- Relations land in schemas named exactly `seeds` and `intermediate` (macro
-- generate_schema_name), not `<target schema>_<custom schema>`, and the marts in
-- `marts__blue` or `marts__green`, the schemas a build writes (readers read the views of
-- `marts`: macros/marts_builds.sql). Returns the misnamed.

with

built_schemas as (

    select
        'seeds' as expected_schema,
        {{ dbt.string_literal(ref('currency_codes').schema) }} as actual_schema

    union all

    select
        'intermediate' as expected_schema,
        {{ dbt.string_literal(ref('int_ad_performance_unioned').schema) }} as actual_schema

    union all

    select
        'marts__blue or marts__green' as expected_schema,
        {{ dbt.string_literal(ref('fct_ad_performance_daily').schema) }} as actual_schema

)

select *
from built_schemas
where
    actual_schema != expected_schema
    and not (
        expected_schema = 'marts__blue or marts__green'
        and actual_schema in ('marts__blue', 'marts__green')
    )
