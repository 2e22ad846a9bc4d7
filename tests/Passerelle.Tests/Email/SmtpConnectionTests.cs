using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Passerelle.Email;
using Passerelle.Referrals;
using Passerelle.Storage;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.Email;

/// <summary>
/// The SMTP conversation itself (MailKit against the real sink): kept connections, a server that hangs up, TLS both ways
/// with a self-signed certificate the test trusts explicitly, AUTH, a recipient refused for good, DKIM checked by Python's
/// <c>dkim</c> (Debian's python3-dkim), not by the library that signed.
/// </summary>
[Trait(Category.Name, Category.Smtp)]
public sealed class SmtpConnectionTests : IDisposable
{
    private readonly DirectoryInfo _keys = Directory.CreateTempSubdirectory("passerelle-keys-");

    public void Dispose() => _keys.Delete(recursive: true);

    [Fact]
    public async Task A_kept_connection_carries_many_mails()
    {
        await using var world = await EmailWorld.CreateAsync(DatabaseProvider.Sqlite, ("Email:Parallelism", "2"));
        var referralId = await world.ProposeAsync();
        await EmailDeliveryTests.QueueStaffMailsAsync(world, referralId, 30);
        await world.DispatchAllAsync();

        (await world.Sink.WaitForAsync(31)).Count.ShouldBe(31);
        world.Sink.Connections().ShouldBeInRange(1, 2, "at most one connection per mail sent at once, each kept for mail after mail");
    }

    [Fact]
    public async Task A_server_that_hangs_up_mid_batch_gets_the_rest_on_new_connections_and_nothing_is_lost_or_sent_twice()
    {
        await using var world = await EmailWorld.CreateAsync(DatabaseProvider.Sqlite, new SmtpSinkOptions(CloseAfter: 7), ("Email:Parallelism", "2"));
        var referralId = await world.ProposeAsync();
        await EmailDeliveryTests.QueueStaffMailsAsync(world, referralId, 40);
        await world.DispatchAllAsync();

        var received = await world.Sink.WaitForAsync(41);
        received.Select(m => m.MessageId).Distinct().Count().ShouldBe(41, "nothing lost");
        received.Count.ShouldBe(41, "nothing sent twice: the server hung up between two mails (the at-least-once case is a hang-up during one)");
        (await world.QueryAsync(db => db.OutboxMessages.Where(m => m.State != OutboxState.Sent))).ShouldBeEmpty();
        (await world.QueryAsync(db => db.OutboxMessages.Where(m => m.Attempts > 1))).ShouldBeEmpty("the mail caught by the hang-up went at once on a new connection");
        world.Sink.Connections().ShouldBeGreaterThanOrEqualTo(41 / 7, "a new connection after each hang-up");
    }

    [Theory]
    [InlineData("starttls", "StartTls")]
    [InlineData("implicit", "SslOnConnect")]
    public async Task Mail_goes_over_tls_to_a_server_whose_self_signed_certificate_is_trusted_explicitly(string sinkMode, string security)
    {
        var (certificate, key) = SelfSignedCertificate();
        await using var world = await EmailWorld.CreateAsync(DatabaseProvider.Sqlite, new SmtpSinkOptions(Tls: sinkMode, CertificatePath: certificate, KeyPath: key),
            ("Email:SmtpSecurity", security), ("Email:SmtpTrustedCertificatePath", certificate));
        await world.ProposeAsync();
        await world.DispatchAllAsync();

        (await world.Sink.WaitForAsync(1)).ShouldHaveSingleItem().To.ShouldContain("margaud@example.org");
    }

    [Fact]
    public async Task A_certificate_nobody_vouches_for_is_refused_and_the_mail_waits()
    {
        var (certificate, key) = SelfSignedCertificate();
        await using var world = await EmailWorld.CreateAsync(DatabaseProvider.Sqlite, new SmtpSinkOptions(Tls: "starttls", CertificatePath: certificate, KeyPath: key),
            ("Email:SmtpSecurity", "StartTls"));
        await world.ProposeAsync();
        await world.DispatchAllAsync();

        world.Sink.Messages().ShouldBeEmpty();
        var mail = (await world.QueryAsync(db => db.OutboxMessages)).Single();
        mail.State.ShouldBe(OutboxState.Pending, "a refused certificate delays the mail, it does not drop it");
        mail.LastError.ShouldNotBeNull().ShouldContain("certificate", Case.Insensitive);
    }

    [Fact]
    public async Task Mail_goes_after_authenticating_and_wrong_credentials_keep_it_waiting_with_the_servers_reply()
    {
        var sink = new SmtpSinkOptions(Auth: "passerelle:s3cret-mot");
        await using (var world = await EmailWorld.CreateAsync(DatabaseProvider.Sqlite, sink, ("Email:SmtpUserName", "passerelle"), ("Email:SmtpPassword", "s3cret-mot")))
        {
            await world.ProposeAsync();
            await world.DispatchAllAsync();
            (await world.Sink.WaitForAsync(1)).Count.ShouldBe(1);
        }
        await using (var world = await EmailWorld.CreateAsync(DatabaseProvider.Sqlite, sink, ("Email:SmtpUserName", "passerelle"), ("Email:SmtpPassword", "pas-le-bon")))
        {
            await world.ProposeAsync();
            await world.DispatchAllAsync();
            world.Sink.Messages().ShouldBeEmpty();
            var mail = (await world.QueryAsync(db => db.OutboxMessages)).Single();
            mail.State.ShouldBe(OutboxState.Pending);
            mail.LastError.ShouldNotBeNull().ShouldContain("535");
        }
    }

    [Fact]
    public async Task A_recipient_the_server_refuses_for_good_fails_that_mail_at_once_and_the_others_go()
    {
        var logs = new CapturedLogs();
        await using var world = await EmailWorld.CreateAsync(DatabaseProvider.Sqlite, new SmtpSinkOptions(Reject: ["margaud@example.org"]),
            services => services.AddSingleton<ILoggerProvider>(logs), ("Email:Parallelism", "1"));
        var referralId = await world.ProposeAsync();
        await EmailDeliveryTests.QueueStaffMailsAsync(world, referralId, 3);
        await world.DispatchOnceAsync();

        (await world.Sink.WaitForAsync(3)).ShouldAllBe(m => m.To.Contains("benoit@example.org"));
        var refused = (await world.QueryAsync(db => db.OutboxMessages.Where(m => m.Recipient == Recipient.Candidate))).Single();
        refused.State.ShouldBe(OutboxState.Failed, "a 5xx for the recipient is not retried eight times");
        refused.Attempts.ShouldBe(1);
        refused.LastError.ShouldNotBeNull().ShouldContain("550");
        refused.LastError.ShouldContain("Recipient address rejected");
        refused.LastError.ShouldContain("margaud@example.org", Case.Insensitive, "the school's failed-mails page shows the server's whole reply");
        (await world.QueryAsync(db => db.OutboxMessages.Where(m => m.State == OutboxState.Sent))).Count.ShouldBe(3);
        // The log says the mail failed and why, without the candidate's address the server quoted.
        logs.Messages.ShouldContain(m => m.Contains("failed for good") && m.Contains("Recipient address rejected"));
        logs.Messages.ShouldNotContain(m => m.Contains("margaud@example.org", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task A_dkim_signature_is_verified_by_an_independent_checker_with_the_published_key()
    {
        using var rsa = RSA.Create(2048);
        var privateKey = Path.Combine(_keys.FullName, "dkim.pem");
        await File.WriteAllTextAsync(privateKey, rsa.ExportRSAPrivateKeyPem());
        await using var world = await EmailWorld.CreateAsync(DatabaseProvider.Sqlite,
            ("Email:Dkim:Domain", "passerelle.test"), ("Email:Dkim:Selector", "mail2026"), ("Email:Dkim:PrivateKeyPath", privateKey));
        await world.ProposeAsync();
        await world.DispatchAllAsync();
        (await world.Sink.WaitForAsync(1)).ShouldHaveSingleItem().Header("DKIM-Signature").ShouldContain("s=mail2026");

        var file = Directory.GetFiles(world.Sink.Folder, "*.eml").Single();
        var publicKey = Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo());
        (await VerifyDkimAsync(file, publicKey)).ShouldBe("True");
        using var other = RSA.Create(2048);
        (await VerifyDkimAsync(file, Convert.ToBase64String(other.ExportSubjectPublicKeyInfo()))).ShouldBe("False", "a check that can fail");
    }

    /// <summary>Python's dkim verifies the stored mail, the public key served for selector._domainkey.domain as DNS would.</summary>
    private static async Task<string> VerifyDkimAsync(string file, string publicKey)
    {
        const string Script = """
            import sys
            import dkim
            raw = open(sys.argv[1], "rb").read()
            def dns(name, timeout=5):
                assert name == b"mail2026._domainkey.passerelle.test.", name
                return ("v=DKIM1; k=rsa; p=" + sys.argv[2]).encode()
            print(dkim.verify(raw, dnsfunc=dns))
            """;
        var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-c", Script, file, publicKey })
            info.ArgumentList.Add(argument);
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        process.ExitCode.ShouldBe(0, $"python3 with python3-dkim (scripts/test.sh installs it): {errors}");
        return output.Trim();
    }

    /// <summary>A certificate for localhost / 127.0.0.1 signed by itself, and its key, as PEM files.</summary>
    private (string Certificate, string Key) SelfSignedCertificate()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(2));
        var (certificatePath, keyPath) = (Path.Combine(_keys.FullName, "smtp.crt"), Path.Combine(_keys.FullName, "smtp.key"));
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, rsa.ExportPkcs8PrivateKeyPem());
        return (certificatePath, keyPath);
    }
}
