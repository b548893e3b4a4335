{{ config(enabled=var('kakao_moment__enabled', true)) }}

{%- set source_table = source('kakao_moment', 'campaigns') -%}

with

source as (

    select * from {{ source_table }}

),

renamed as (

    select
        {{ argo.source_relation_column(source_table) }},
        cast(id as {{ dbt.type_string() }}) as campaign_id,
        cast(ad_account_id as {{ dbt.type_string() }}) as account_id,
        cast(name as {{ dbt.type_string() }}) as campaign_name,
        cast(campaign_type as {{ dbt.type_string() }}) as campaign_type,
        cast(goal as {{ dbt.type_string() }}) as campaign_goal,
        -- Kakao's goal only means something with its type: 'TALK_BIZ_BOARD / CONVERSION'.
        cast(
            case
                when campaign_type is not null and goal is not null
                    then {{ dbt.concat(['campaign_type', "' / '", 'goal']) }}
                else coalesce(campaign_type, goal)
            end
            as {{ dbt.type_string() }}
        ) as objective,
        -- status, config, system_config, effective_status, is_active
        {{ argo.kakao_moment_status_columns('config', 'system_config') }},
        cast(daily_budget_amount as {{ dbt.type_numeric() }}) as daily_budget,
        {{ argo.dlt_load_columns() }}

    from source

)

select * from renamed
