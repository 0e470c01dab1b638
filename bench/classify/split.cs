// The classification benchmark's held-out split (run.sh): the rows `lstm classify train --test FRACTION --seed SEED`
// holds out for its test part, computed by the library's own Splits.Stratified on class ids numbered as the CLI
// numbers them (the distinct labels in ordinal order), so the scikit-learn peers are scored on the very rows the
// tool is. run.sh checks it: the saved model, evaluated on these rows alone, must give the tool's own test scores.
//   dotnet run bench/classify/split.cs -- LABELS.txt FRACTION SEED > TEST_ROWS.txt   (LABELS.txt: one label per data row)
#:project ../../src/LstmSharp/LstmSharp.csproj
using System.Globalization;
using LstmSharp.Data;

var labels = File.ReadAllLines(args[0]);
var classes = labels.Distinct().Order(StringComparer.Ordinal).ToArray();
var ids = labels.Select(l => Array.BinarySearch(classes, l, StringComparer.Ordinal)).ToArray();
var (_, test) = Splits.Stratified(ids, double.Parse(args[1], CultureInfo.InvariantCulture), int.Parse(args[2], CultureInfo.InvariantCulture));
Console.Out.Write(string.Concat(test.Select(i => i.ToString(CultureInfo.InvariantCulture) + "\n")));
