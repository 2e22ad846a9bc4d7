using Passerelle.Bench;

// dotnet run --project bench/Passerelle.Bench -c Release -- generate "Host=…;Database=…" [schools] [referrals]
if (args is not ["generate", var connectionString, ..])
{
    Console.Error.WriteLine("usage: generate <PostgreSQL connection string> [schools=500] [referrals=1000000]");
    return 2;
}
var schools = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 500;
var referrals = args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000;
await DataGenerator.RunAsync(connectionString, schools, referrals, Console.Error);
return 0;
