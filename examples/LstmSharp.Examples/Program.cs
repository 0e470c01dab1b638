// The experiments that show the engine learns what LSTMs are known for. Each prints its settings and the
// figures recorded in docs/experiments.md; run them with
//   dotnet run -c Release --project examples/LstmSharp.Examples -- adding|mnist [--cell lstm|rnn] [--seed N]
using LstmSharp.Examples;

var name = args.FirstOrDefault();
string Option(string key, string fallback)
{
    var i = Array.IndexOf(args, key);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}
int Int(string key, string fallback) => int.Parse(Option(key, fallback), System.Globalization.CultureInfo.InvariantCulture);
var seed = Int("--seed", "1");
switch (name)
{
    case "adding":
        AddingExperiment.Run(Option("--cell", "lstm"), seed, Int("--length", "100"), Int("--epochs", "30"), Int("--batch", "32"),
            float.Parse(Option("--lr", "0.001"), System.Globalization.CultureInfo.InvariantCulture));
        return 0;
    case "mnist":
        MnistExperiment.Run(seed);
        return 0;
    default:
        Console.Error.WriteLine("usage: adding [--cell lstm|lstm-chrono|rnn] [--length 100] [--epochs 30] [--batch 32] [--lr 0.001] [--seed N] | mnist [--seed N]");
        return 1;
}
