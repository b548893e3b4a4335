{{ config(enabled=var('meta_ads__enabled', true)) }}

-- `source_relation` names the raw table the row came from (macro source_relation_name).
-- Returns the staged rows that name something else.

{%- set schema = var('meta_ads__schema', 'raw_meta_ads') %}

with

source_relations as (

    select
        'ad_accounts' as table_name,
        source_relation
    from {{ ref('stg_meta_ads__ad_accounts') }}

    union all

    select
        'campaigns' as table_name,
        source_relation
    from {{ ref('stg_meta_ads__campaigns') }}

    union all

    select
        'ad_sets' as table_name,
        source_relation
    from {{ ref('stg_meta_ads__ad_sets') }}

    union all

    select
        'ads' as table_name,
        source_relation
    from {{ ref('stg_meta_ads__ads') }}

    union all

    select
        'ads_insights' as table_name,
        source_relation
    from {{ ref('stg_meta_ads__ads_insights') }}

    union all

    select
        'ads_insights_actions' as table_name,
        source_relation
    from {{ ref('stg_meta_ads__ads_insights_actions') }}

)

select *
from source_relations
where
    source_relation is null
    or source_relation != {{ dbt.concat([dbt.string_literal(schema ~ '.'), 'table_name']) }}
