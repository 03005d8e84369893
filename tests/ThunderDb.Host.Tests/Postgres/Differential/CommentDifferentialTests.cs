using ThunderDb.Host.Tests.EndToEnd;

namespace ThunderDb.Host.Tests.Postgres.Differential;

/// <summary>
/// COMMENT ON tables, columns (of tables and views), views, indexes, sequences, schemas, the database and a role:
/// pg_description, pg_shdescription, obj_description / col_description, psql's \d+ and \dn+, replacing and removing
/// (NULL and ''), the wrong-kind and missing-object errors, and a dropped object's comments going with it: a psql script
/// against ThunderDB and PostgreSQL 15 must print the same.
/// </summary>
[NotInParallel("thunderdb-process")]
public sealed class CommentDifferentialTests
{
    private const string Script = """
        create table ct (id int primary key, name text);
        create view cv as select id from ct;
        create sequence cs;
        create schema csch;
        comment on table ct is 'the table';
        comment on column ct.name is 'the name';
        comment on column public.ct.id is 'key';
        comment on view cv is 'a view';
        comment on column cv.id is 'view col';
        comment on index ct_pkey is 'pk';
        comment on sequence cs is 'seq';
        comment on schema csch is 'schema comment';
        comment on database postgres is 'main db';
        comment on role thunder is 'the boss';
        select objoid::regclass, objsubid, description from pg_description where classoid = 'pg_class'::regclass order by objoid::regclass::text, objsubid;
        select obj_description('ct'::regclass, 'pg_class'), col_description('ct'::regclass, 2), obj_description((SELECT oid FROM pg_namespace WHERE nspname = 'csch'), 'pg_namespace');
        select description from pg_shdescription d join pg_database b on b.oid = d.objoid where b.datname = 'postgres';
        \d+ ct
        \dn+ csch
        comment on table ct is 'changed';
        comment on column ct.name is NULL;
        comment on table ct is '';
        select count(*) from pg_description where objoid = 'ct'::regclass;
        comment on table cv is 'x';
        comment on view ct is 'x';
        comment on table nosuch is 'x';
        comment on column ct.nosuch is 'x';
        comment on column nosuch.c is 'x';
        comment on schema nosuch is 'x';
        comment on column ct.id is 'again';
        drop view cv;
        drop table ct;
        select count(*) from pg_description where description in ('again', 'view col', 'a view');
        comment on database postgres is NULL;
        comment on role thunder is NULL;
        comment on schema csch is NULL;
        comment on sequence cs is NULL;
        """;

    [Before(Class)]
    public static async Task PublishOnce() => await PublishedBinary.PathAsync();

    [Test]
    [Timeout(120_000)]
    public async Task Comments_are_kept_and_shown_as_postgresql_keeps_them(CancellationToken ct) =>
        await PsqlScriptDifferential.AssertSameOutputAsync(Script, ct, "thunder");
}
