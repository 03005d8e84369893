using System.Text;
using ThunderDb.Core.Catalog;

namespace ThunderDb.Core.Tests.Catalog;

/// <summary>The SCRAM-SHA-256 math against RFC 7677's example exchange, and the stored password forms PostgreSQL uses.</summary>
public class ScramSha256Tests
{
    // RFC 7677 section 3: user "user", password "pencil".
    private const string ClientFirstBare = "n=user,r=rOprNGfwEbeRWgbNEkqO";
    private const string ServerFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    private const string ClientFinalWithoutProof = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    private const string Proof = "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    private const string ServerSignature = "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";
    private const string AuthMessage = ClientFirstBare + "," + ServerFirst + "," + ClientFinalWithoutProof;

    private static readonly byte[] Salt = Convert.FromBase64String("W22ZaJ0SNY7soEsUEjb6gQ==");

    [Test]
    public async Task The_rfc_7677_client_proof_and_server_signature_come_out()
    {
        byte[] salted = ScramSha256.SaltedPassword("pencil", Salt, 4096);
        await Assert.That(Convert.ToBase64String(ScramSha256.ClientProof(salted, AuthMessage))).IsEqualTo(Proof);

        ScramVerifier verifier = ScramSha256.Derive("pencil", Salt, 4096);
        await Assert.That(Convert.ToBase64String(ScramSha256.ServerSignature(verifier, AuthMessage))).IsEqualTo(ServerSignature);
        await Assert.That(ScramSha256.VerifyClientProof(verifier, AuthMessage, Convert.FromBase64String(Proof))).IsTrue();
    }

    [Test]
    public async Task A_proof_made_with_another_password_or_another_message_is_refused()
    {
        ScramVerifier verifier = ScramSha256.Derive("pencil", Salt, 4096);
        byte[] wrong = ScramSha256.ClientProof(ScramSha256.SaltedPassword("pen", Salt, 4096), AuthMessage);
        await Assert.That(ScramSha256.VerifyClientProof(verifier, AuthMessage, wrong)).IsFalse();
        await Assert.That(ScramSha256.VerifyClientProof(verifier, AuthMessage + "x", Convert.FromBase64String(Proof))).IsFalse();
        await Assert.That(ScramSha256.VerifyClientProof(verifier, AuthMessage, new byte[5])).IsFalse();
    }

    [Test]
    public async Task The_stored_verifier_has_postgresql_form_and_parses_back()
    {
        // StoredKey and ServerKey for pencil / that salt, computed independently (Python hashlib.pbkdf2_hmac + hmac)
        ScramVerifier verifier = ScramSha256.Derive("pencil", Salt, 4096);
        string text = verifier.ToString();
        await Assert.That(text).IsEqualTo("SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=");
        ScramVerifier back = ScramVerifier.TryParse(text)!;
        await Assert.That(back.Iterations).IsEqualTo(4096);
        await Assert.That(back.StoredKey.SequenceEqual(verifier.StoredKey)).IsTrue();
        await Assert.That(ScramSha256.Matches(back, "pencil")).IsTrue();
        await Assert.That(ScramSha256.Matches(back, "pencil ")).IsFalse();
        await Assert.That(ScramVerifier.TryParse("SCRAM-SHA-256$4096:abc")).IsNull();
        await Assert.That(ScramVerifier.TryParse("SCRAM-SHA-256$x:W22ZaJ0SNY7soEsUEjb6gQ==$a:b")).IsNull();
    }

    [Test]
    public async Task Md5_hashes_and_responses_are_postgresql_s()
    {
        string hash = RolePasswords.Md5Hash("pencil", "user");
        await Assert.That(hash).IsEqualTo("md520c46e3762c864548e296b33c3406aa9");
        await Assert.That(RolePasswords.IsMd5Hash(hash)).IsTrue();
        await Assert.That(RolePasswords.Matches(hash, "pencil", "user")).IsTrue();
        await Assert.That(RolePasswords.Matches(hash, "pencil", "other")).IsFalse();

        byte[] salt = [1, 2, 3, 4];
        string expected = "md5" + Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData([.. Encoding.ASCII.GetBytes(hash[3..]), .. salt]));
        await Assert.That(RolePasswords.Md5Response(hash, salt)).IsEqualTo(expected);
    }

    [Test]
    public async Task A_pre_hashed_password_is_stored_as_given_and_cleartext_is_hashed()
    {
        string scram = ScramSha256.Derive("pencil", Salt, 4096).ToString();
        await Assert.That(RolePasswords.Encrypt(scram, "u", PasswordEncryption.Md5)).IsEqualTo(scram);
        await Assert.That(RolePasswords.Encrypt("md520c46e3762c864548e296b33c3406aa9", "u", PasswordEncryption.ScramSha256)).IsEqualTo("md520c46e3762c864548e296b33c3406aa9");
        await Assert.That(RolePasswords.Encrypt("pencil", "user", PasswordEncryption.Md5)).IsEqualTo("md520c46e3762c864548e296b33c3406aa9");
        string fresh = RolePasswords.Encrypt("pencil", "user", PasswordEncryption.ScramSha256);
        await Assert.That(fresh).StartsWith("SCRAM-SHA-256$4096:");
        await Assert.That(RolePasswords.Matches(fresh, "pencil", "user")).IsTrue();
    }

    [Test]
    public async Task Saslprep_maps_non_ascii_spaces_and_drops_the_mapped_to_nothing_characters()
    {
        await Assert.That(ScramSha256.SaslPrep("plain ascii")).IsEqualTo("plain ascii");
        await Assert.That(ScramSha256.SaslPrep("a\u00A0b\u00ADc\u3000d")).IsEqualTo("a bc d");
        await Assert.That(ScramSha256.SaslPrep("d\u00E9j\u00E0")).IsEqualTo("d\u00E9j\u00E0");
    }
}
