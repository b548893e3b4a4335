{{ config(enabled=var('naver_searchad__enabled', true)) }}

{%- set source_table = source('naver_searchad', 'campaigns') -%}

with

source as (

    select * from {{ source_table }}

),

renamed as (

    select
        cast({{ argo.source_relation_name(source_table) }} as {{ dbt.type_string() }})
            as source_relation,
        cast(customer_id as {{ dbt.type_string() }}) as account_id,
        cast(campaign_id as {{ dbt.type_string() }}) as campaign_id,
        cast(name as {{ dbt.type_string() }}) as campaign_name,
        cast(campaign_type as {{ dbt.type_string() }}) as campaign_type,
        cast(delivery_method as {{ dbt.type_string() }}) as delivery_method,
        coalesce(use_daily_budget, false) as uses_daily_budget,
        -- Naver keeps the last daily budget when the advertiser turns it off: no budget then.
        cast(
            case when use_daily_budget then daily_budget end as {{ dbt.type_numeric() }}
        ) as daily_budget,
        cast(status as {{ dbt.type_string() }}) as naver_status,
        cast(status_reason as {{ dbt.type_string() }}) as status_reason,
        -- Naver's status says whether the object serves (ELIGIBLE) or why not; the
        -- advertiser's switch is userLock (on = paused), a deleted object has delFlag.
        {{ argo.naver_searchad_status('status', 'user_lock', 'deleted') }} as status,
        coalesce(status = 'ELIGIBLE', false)
        and not coalesce(user_lock, false)
        and not coalesce(deleted, false) as is_active,
        coalesce(user_lock, false) as is_locked,
        coalesce(deleted, false) as is_deleted,
        {{ argo.to_utc_timestamp('registered_at') }} as created_at,
        {{ argo.to_utc_timestamp('edited_at') }} as updated_at,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as load_id,
        {{ argo.to_utc_timestamp('_loaded_at') }} as loaded_at

    from source

)

select * from renamed
