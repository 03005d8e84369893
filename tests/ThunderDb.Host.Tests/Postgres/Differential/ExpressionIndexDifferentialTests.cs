using ThunderDb.Host.Tests.EndToEnd;

namespace ThunderDb.Host.Tests.Postgres.Differential;

/// <summary>
/// Indexes on expressions (<c>CREATE UNIQUE INDEX ON users (lower(email))</c>): uniqueness enforced through INSERT,
/// UPDATE, DELETE, COPY and rolled-back transactions, the 23505 detail naming the expression, the index built over
/// existing rows (and refused when they collide), the 42P17 for volatile and stable functions, default names
/// (<c>users_lower_idx</c>, <c>users_expr_idx</c>, a number appended when taken), pg_get_indexdef and psql's \d, RENAME
/// COLUMN respelling the expression and DROP COLUMN taking the index: a psql script must print what PostgreSQL 15 prints.
/// </summary>
[NotInParallel("thunderdb-process")]
public sealed class ExpressionIndexDifferentialTests
{
    private const string Script = """
        CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL, doc jsonb, n int);
        INSERT INTO users VALUES (1, 'Bob@x.com', '{"k": "a"}', 1), (2, 'alice@x.com', '{"k": "b"}', 2);
        CREATE UNIQUE INDEX users_email_lower ON users (lower(email));
        CREATE INDEX ON users ((doc->>'k'));
        CREATE INDEX ON users ((n * 2) DESC, email);
        CREATE INDEX ON users (lower(email));
        CREATE INDEX ON users (id);
        CREATE INDEX ON users (id);
        \d users
        SELECT pg_get_indexdef('users_email_lower'::regclass), pg_get_indexdef('users_expr_idx'::regclass);
        INSERT INTO users VALUES (3, 'BOB@X.COM', NULL, 3);
        INSERT INTO users VALUES (3, 'carol@x.com', '{"k": "c"}', 3);
        UPDATE users SET email = 'ALICE@x.com' WHERE id = 1;
        UPDATE users SET email = 'bob2@x.com' WHERE id = 1;
        INSERT INTO users VALUES (4, 'bob@x.com', NULL, 4);
        SELECT * FROM users ORDER BY id;
        DELETE FROM users WHERE id = 4;
        INSERT INTO users VALUES (5, 'BOB@x.com', NULL, 5);
        SELECT id, email FROM users WHERE lower(email) = 'bob@x.com';
        CREATE INDEX ON users ((random()));
        CREATE INDEX ON users ((now()));
        CREATE UNIQUE INDEX ON users ((n % 2));
        ALTER TABLE users RENAME COLUMN email TO mail;
        \d users
        ALTER TABLE users DROP COLUMN mail;
        \d users
        CREATE TABLE tags (name text, UNIQUE (name));
        CREATE UNIQUE INDEX ON tags (upper(name));
        INSERT INTO tags VALUES ('a'), ('b');
        INSERT INTO tags VALUES ('A');
        SELECT indexdef FROM pg_indexes WHERE tablename = 'tags' ORDER BY 1;
        BEGIN;
        INSERT INTO tags VALUES ('c');
        INSERT INTO tags VALUES ('C');
        ROLLBACK;
        SELECT * FROM tags ORDER BY 1;
        CREATE TABLE dupe (s text);
        INSERT INTO dupe VALUES ('x'), ('X');
        CREATE UNIQUE INDEX ON dupe (lower(s));
        SELECT pg_get_indexdef('tags_upper_idx'::regclass, 1, true);
        COPY tags FROM STDIN;
        d
        D
        \.
        SELECT * FROM tags ORDER BY 1;
        """;

    [Before(Class)]
    public static async Task PublishOnce() => await PublishedBinary.PathAsync();

    [Test]
    [Timeout(120_000)]
    public async Task Expression_indexes_behave_as_postgresql_indexes(CancellationToken ct) =>
        await PsqlScriptDifferential.AssertSameOutputAsync(Script, ct);
}
