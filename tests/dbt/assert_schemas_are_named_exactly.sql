-- Relations land in schemas named exactly `seeds`, `intermediate` and `marts` (macro
-- generate_schema_name), not `<target schema>_<custom schema>`. Returns the misnamed.

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
        'marts' as expected_schema,
        {{ dbt.string_literal(ref('fct_ad_performance_daily').schema) }} as actual_schema

)

select *
from built_schemas
where actual_schema != expected_schema
