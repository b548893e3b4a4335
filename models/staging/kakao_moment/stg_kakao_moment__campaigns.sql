{{ config(enabled=var('kakao_moment__enabled', true)) }}

{%- set source_table = source('kakao_moment', 'campaigns') -%}

with

source as (

    select * from {{ source_table }}

),

cleaned as (

    select
        *,
        upper(trim(config)) as config_label,
        upper(trim(system_config)) as system_config_label

    from source

),

renamed as (

    select
        cast({{ argo.source_relation_name(source_table) }} as {{ dbt.type_string() }})
            as source_relation,
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
        cast(
            case config_label
                when 'ON' then 'ACTIVE'
                when 'OFF' then 'PAUSED'
                when 'DEL' then 'DELETED'
            end
            as {{ dbt.type_string() }}
        ) as status,
        cast(config_label as {{ dbt.type_string() }}) as config,
        cast(system_config_label as {{ dbt.type_string() }}) as system_config,
        cast(
            case
                when config_label = 'ON' and system_config_label != 'ON'
                    then system_config_label
                else config_label
            end
            as {{ dbt.type_string() }}
        ) as effective_status,
        coalesce(
            config_label = 'ON' and coalesce(system_config_label, 'ON') = 'ON',
            false
        ) as is_active,
        cast(daily_budget_amount as {{ dbt.type_numeric() }}) as daily_budget,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as load_id,
        {{ argo.to_utc_timestamp('_loaded_at') }} as loaded_at

    from cleaned

)

select * from renamed
