{#
    Kimball's inferred members: the campaigns and ad groups that a platform's performance
    rows name but its listing lacks (never listed, or no longer: Meta's edges leave
    deleted objects out, their delivery stays in the insights), kept so that every
    performance row has its dimension row.

    Two steps, so that a day's build does not read every day of the reports:
    int_marketing__performance_entity_months keeps, by month, what the rows tell of each
    entity (this macro), and dim_campaigns and dim_ad_groups combine the months and add
    the entities their listings lack (argo.inferred_members_sql).

    One row per entity the rows of `performance` (a relation or CTE with date_day,
    source_relation, account_id and `id_column`) name, by connection, ad account and
    calendar month: its last day in the month (date_day) and its parent (`parent_column`,
    the largest the month's rows give). With `name_column` (Meta's insights, which name
    objects and have loaded_at) the name and parent are the month's latest row's instead:
    latest day, then latest load, then the first name. A row with a null id names nothing,
    except in Meta's insights, where every row has its campaign and ad set. With
    `performance` none: the columns and no row (no platform enabled).
#}
{% macro performance_entity_months_sql(
    performance, platform, entity_type, id_column, name_column=none, parent_column=none
) -%}
    {%- if performance is none -%}
    select
        cast(null as {{ dbt.type_string() }}) as entity_key,
        cast(null as {{ dbt.type_string() }}) as platform,
        cast(null as {{ dbt.type_string() }}) as entity_type,
        cast(null as {{ dbt.type_string() }}) as source_relation,
        cast(null as {{ dbt.type_string() }}) as account_id,
        cast(null as {{ dbt.type_string() }}) as entity_id,
        cast(null as {{ dbt.type_string() }}) as campaign_id,
        cast(null as {{ dbt.type_string() }}) as entity_name,
        cast(null as date) as month_start,
        cast(null as date) as date_day,
        cast(null as {{ dbt.type_timestamp() }}) as loaded_at
    where 1 = 0
    {%- else -%}
    select
        '{{ platform }}' || '|' || '{{ entity_type }}'
        || '|' || coalesce(source_relation, '')
        || '|' || coalesce(account_id, '')
        || '|' || coalesce({{ id_column }}, '') as entity_key,
        '{{ platform }}' as platform,
        '{{ entity_type }}' as entity_type,
        source_relation,
        account_id,
        {{ id_column }} as entity_id,
        {% if parent_column -%}
            {{ 'max(' if name_column is none }}{{ parent_column }}{{ ')' if name_column is none }}
        {%- else -%}
            cast(null as {{ dbt.type_string() }})
        {%- endif %} as campaign_id,
        {% if name_column -%}
            {{ name_column }}
        {%- else -%}
            cast(null as {{ dbt.type_string() }})
        {%- endif %} as entity_name,
        month_start,
        {{ 'max(date_day)' if name_column is none else 'date_day' }} as date_day,
        {% if name_column -%}
            loaded_at
        {%- else -%}
            cast(null as {{ dbt.type_timestamp() }})
        {%- endif %} as loaded_at

    from (

        select
            *,
            cast({{ dbt.date_trunc('month', 'date_day') }} as date) as month_start
            {%- if name_column %},
            row_number() over (
                partition by
                    source_relation, account_id, {{ id_column }},
                    {{ dbt.date_trunc('month', 'date_day') }}
                order by date_day desc, loaded_at desc, {{ name_column }} asc
            ) as recency_rank
            {%- endif %}

        from {{ performance }}
        {%- if name_column is none %}
        where {{ id_column }} is not null
        {%- endif %}

    ) as rows_by_month
    {%- if name_column %}
    where recency_rank = 1
    {%- else %}
    group by 1, 2, 3, 4, 5, 6, 9
    {%- endif %}
    {%- endif %}
{%- endmacro %}

{#
    The inferred members of `entity_type` (`campaign` or `ad_group`) from the months of
    `months` (int_marketing__performance_entity_months) that no row of `listing` (the
    platforms' listed objects: platform, account_id and `id_column`) has: one row per
    platform, ad account and entity, with platform, source_relation, account_id,
    `id_column`, campaign_id (ad groups) and `name_column`.

    Meta's (`latest_row_platforms`) take connection, name and parent from their latest
    insights row over every month (latest day, then latest load, then the first name);
    the others' are one row per connection, ad account and entity, with the largest
    parent the rows give and no name (Kakao's and Naver's reports name nothing).
#}
{% macro inferred_members_sql(
    months, listing, entity_type, id_column, name_column,
    latest_row_platforms=['meta_ads']
) -%}
    {%- set platforms = "('" ~ (latest_row_platforms | join("', '")) ~ "')" -%}
    select
        entities.platform,
        entities.source_relation,
        entities.account_id,
        entities.entity_id as {{ id_column }},
        {% if entity_type != 'campaign' -%}
            entities.campaign_id,
        {% endif -%}
        entities.entity_name as {{ name_column }}

    from (

        select
            platform,
            source_relation,
            account_id,
            entity_id,
            campaign_id,
            entity_name

        from (

            select
                *,
                row_number() over (
                    partition by platform, account_id, entity_id
                    order by date_day desc, loaded_at desc, entity_name asc
                ) as recency_rank

            from {{ months }}
            where entity_type = '{{ entity_type }}' and platform in {{ platforms }}

        ) as ranked
        where recency_rank = 1

        union all

        select
            platform,
            source_relation,
            account_id,
            entity_id,
            max(campaign_id) as campaign_id,
            cast(null as {{ dbt.type_string() }}) as entity_name

        from {{ months }}
        where entity_type = '{{ entity_type }}' and platform not in {{ platforms }}
        group by 1, 2, 3, 4

    ) as entities
    left join {{ listing }} as listing
        on
            entities.platform = listing.platform
            and entities.account_id = listing.account_id
            and entities.entity_id = listing.{{ id_column }}
    where listing.{{ id_column }} is null
{%- endmacro %}
