{#
    Publishing: the views of the schema `marts` (what readers read) point at the tables
    of `schema`, one view per mart, and marts__state.mart_builds records it (DECISIONLOG,
    36). Called by argo.marts_after_build once a run has built and tested every mart.

    - DuckDB: one transaction (DuckDB's DDL is transactional): every view is replaced,
      a relation of `marts` that is no mart any more is dropped (and a table left by the
      layout before this one), and the state rows are written, all or nothing. A reader
      sees the old marts or the new ones, never a mix.
    - Athena: no transactions; each `create or replace view` is its own statement, so
      for the seconds a publish takes a reader may see some marts new and others old.
      The `published` row is written last: a publish that stops half-way is not
      recorded, and the next successful run publishes every view again.
#}

{#
    The marts of `schema` readers see: its models but those configured
    `meta: {published: false}`, the state a build schema keeps for its own next build
    (int_suggestions__entity_months). Those are built, tested and fingerprinted like the
    marts (argo.mart_models), but get no view in `marts`.
#}
{% macro published_mart_models(schema) -%}
    {%- set found = [] -%}
    {%- for node in argo.mart_models(schema)
        if (node.config.get('meta') or {}).get('published', true) -%}
        {%- do found.append(node) -%}
    {%- endfor -%}
    {{ return(found) }}
{%- endmacro %}

{#- The statements that point the views of `marts` at `schema` (one per mart). -#}
{% macro publish_marts_statements(schema, marts) -%}
    {%- set statements = [] -%}
    {%- for mart in marts -%}
        {%- do statements.append(
            'create or replace view ' ~ argo.marts_view_relation(mart.alias)
            ~ ' as select * from ' ~ argo.published_table_relation(schema, mart.alias)
        ) -%}
    {%- endfor -%}
    {{ return(statements) }}
{%- endmacro %}

{#- The view readers read for the mart `name`: `marts.<name>`. -#}
{% macro marts_view_relation(name) -%}
    {{ return(adapter.dispatch('marts_view_relation', 'argo')(name)) }}
{%- endmacro %}

{#- DuckDB: no catalog in the name, so the file can be attached under any name. -#}
{% macro default__marts_view_relation(name) -%}
    {{ return(api.Relation.create(schema='marts', identifier=name, type='view')) }}
{%- endmacro %}

{% macro athena__marts_view_relation(name) -%}
    {{ return(api.Relation.create(
        database=target.database, schema='marts', identifier=name, type='view'
    )) }}
{%- endmacro %}

{#- The table a published view reads: `<schema>.<name>`. -#}
{% macro published_table_relation(schema, name) -%}
    {{ return(adapter.dispatch('published_table_relation', 'argo')(schema, name)) }}
{%- endmacro %}

{% macro default__published_table_relation(schema, name) -%}
    {{ return(api.Relation.create(schema=schema, identifier=name, type='table')) }}
{%- endmacro %}

{% macro athena__published_table_relation(schema, name) -%}
    {{ return(api.Relation.create(
        database=target.database, schema=schema, identifier=name, type='table'
    )) }}
{%- endmacro %}

{#- The relations of the schema `marts` now: name -> 'table' or 'view'. -#}
{% macro marts_schema_relations() -%}
    {{ return(adapter.dispatch('marts_schema_relations', 'argo')()) }}
{%- endmacro %}

{% macro default__marts_schema_relations() -%}
    {%- set found = run_query(
        "select table_name, table_type from information_schema.tables"
        ~ " where table_catalog = '" ~ target.database ~ "' and table_schema = 'marts'"
    ) -%}
    {%- set relations = {} -%}
    {%- for row in found.rows -%}
        {%- do relations.update({row[0]: 'view' if row[1] == 'VIEW' else 'table'}) -%}
    {%- endfor -%}
    {{ return(relations) }}
{%- endmacro %}

{% macro athena__marts_schema_relations() -%}
    {%- set schema = api.Relation.create(database=target.database, schema='marts') -%}
    {%- set relations = {} -%}
    {%- for relation in adapter.list_relations_without_caching(schema) -%}
        {%- do relations.update({relation.identifier: relation.type | string}) -%}
    {%- endfor -%}
    {{ return(relations) }}
{%- endmacro %}

{#- DuckDB: every view, the drops and the state rows in one transaction. -#}
{% macro default__publish_marts(schema, marts, rows) -%}
    {%- set names = marts | map(attribute='alias') | list -%}
    {%- set existing = argo.marts_schema_relations() -%}
    {%- set statements = ['create schema if not exists marts'] -%}
    {%- for name, kind in existing.items() if kind == 'table' or name not in names -%}
        {%- do statements.append('drop ' ~ kind ~ ' ' ~ argo.marts_view_relation(name)) -%}
    {%- endfor -%}
    {%- do statements.extend(argo.publish_marts_statements(schema, marts)) -%}
    {%- do statements.append(argo.marts_state_insert_sql(rows)) -%}
    {%- call statement('argo_publish_marts', auto_begin=True) -%}
        {{ statements | join(';\n') }}
    {%- endcall -%}
    {%- do adapter.commit() -%}
{%- endmacro %}

{#- Athena: statement by statement; the `published` row (the last of `rows`) last. -#}
{% macro athena__publish_marts(schema, marts, rows) -%}
    {%- set names = marts | map(attribute='alias') | list -%}
    {%- if rows | length > 1 -%}
        {%- do run_query(argo.marts_state_insert_sql(rows[:-1])) -%}
    {%- endif -%}
    {%- do adapter.create_schema(api.Relation.create(database=target.database, schema='marts')) -%}
    {%- for name, kind in argo.marts_schema_relations().items()
        if kind == 'table' or name not in names -%}
        {%- set relation = api.Relation.create(
            database=target.database, schema='marts', identifier=name, type=kind
        ) -%}
        {%- do drop_relation_glue(relation) -%}
    {%- endfor -%}
    {%- for statement in argo.publish_marts_statements(schema, marts) -%}
        {%- do run_query(statement) -%}
    {%- endfor -%}
    {%- do run_query(argo.marts_state_insert_sql(rows[-1:])) -%}
{%- endmacro %}

{#
    `dbt run-operation print_published_marts_schema`: logs `published marts schema: <schema>`
    (or `none`) and, for argo, the schema a build goes to next. `argo transform` reads it
    on Athena (on DuckDB it reads the state table itself).
#}
{% macro print_published_marts_schema() -%}
    {%- set published = argo.published_marts() -%}
    {%- do log(
        'published marts schema: ' ~ (published['schema_name'] if published else 'none'),
        info=true
    ) -%}
{%- endmacro %}

{#
    `dbt run-operation publish_built_marts --args '{schema: marts__green}'`: points the
    views of `marts` at `schema`. `argo transform` runs it after a build of the day's
    changes (`--select source_status:fresher+ state:modified+ --state <the schema's last
    build>`) in which every selected node succeeded: the marts that build left out are
    those of the schema's last successful build, unchanged since (argo/transform.py,
    build_changed). The on-run-end hook publishes only a build of everything by itself
    (argo.marts_after_build). Refuses the schema readers see, `marts`, and a schema
    missing any mart.
#}
{% macro publish_built_marts(schema) -%}
    {%- if schema not in ('marts__blue', 'marts__green') -%}
        {{ exceptions.raise_compiler_error(
            "publish_built_marts: " ~ schema ~ " is not a build schema (marts__blue or "
            ~ "marts__green); nothing was published"
        ) }}
    {%- endif -%}
    {%- set published = argo.published_marts() -%}
    {%- if published is not none and published['schema_name'] == schema -%}
        {%- do log("argo: " ~ schema ~ " is already what readers of `marts` see", info=true) -%}
        {{ return('') }}
    {%- endif -%}
    {%- set marts = argo.published_mart_models(schema) -%}
    {%- if not marts -%}
        {{ exceptions.raise_compiler_error(
            "publish_built_marts: no mart is built into " ~ schema ~ " by this project's "
            ~ "parse (ARGO_MARTS_SCHEMA=" ~ schema ~ " is needed); nothing was published"
        ) }}
    {%- endif -%}
    {%- set missing = [] -%}
    {%- for mart in marts
        if adapter.get_relation(mart.database, mart.schema, mart.alias) is none -%}
        {%- do missing.append(mart.alias) -%}
    {%- endfor -%}
    {%- if missing -%}
        {{ exceptions.raise_compiler_error(
            "publish_built_marts: " ~ schema ~ " has no " ~ (missing[:5] | join(', '))
            ~ ": nothing was published. What to do: run `argo transform --all`"
        ) }}
    {%- endif -%}
    {%- do argo.ensure_marts_state() -%}
    {%- set rows = [argo.marts_state_row(3, 'published', schema)] -%}
    {%- do adapter.dispatch('publish_marts', 'argo')(schema, marts, rows) -%}
    {%- do log(
        "argo: published " ~ schema ~ ": readers of `marts` now see its " ~ (marts | length)
        ~ " marts, the day's changes built and tested", info=true
    ) -%}
{%- endmacro %}
