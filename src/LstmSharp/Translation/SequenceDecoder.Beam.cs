// SequenceDecoder.Beam: beam search with GNMT's length penalty, the K live prefixes run as one batch of K rows.
using LstmSharp.Internals;

namespace LstmSharp.Translation;

public sealed partial class SequenceDecoder
{
    Rows? _beamRows;
    BeamBuffers? _beam;

    /// <summary>
    /// The <paramref name="nBest"/> best hypotheses for one source sequence <paramref name="sourceIds"/>
    /// <c>[1, Ts]</c>, best first, by beam search with <paramref name="beamSize"/> live prefixes and GNMT's length
    /// penalty α = <paramref name="lengthPenalty"/> (0 = rank by log-probability).
    /// </summary>
    /// <remarks>
    /// Every step scores each live prefix's continuations (log-softmax over V; the padding id 0 is never a
    /// continuation) and keeps the 2K best candidates, ordered
    /// by log-probability, then token id, then parent beam (so ties are deterministic). A candidate that is the end
    /// token, among the first K, is set aside as ended; the best K others become the next live prefixes, and the
    /// decoder states are gathered row by row from their parents. At the length limit the K best candidates all end
    /// (cut). The search stops early once <paramref name="nBest"/> hypotheses have ended and no live prefix can beat
    /// the worst of them: a prefix's log-probability s ≤ 0 only falls, so its best possible score is s / lp(limit)
    /// (with α ≥ 0) — a bound, so stopping never changes the answer. The result may hold fewer than
    /// <paramref name="nBest"/> hypotheses only when fewer distinct sequences exist within the limit.
    /// </remarks>
    public IReadOnlyList<Hypothesis> Beam(Tensor sourceIds, int beamSize = 4, double lengthPenalty = 0, int nBest = 1)
    {
        Guard.Positive(beamSize);
        Guard.InRange(nBest, 1, beamSize);
        if (!(lengthPenalty >= 0 && double.IsFinite(lengthPenalty)))
            throw new ArgumentOutOfRangeException(nameof(lengthPenalty), lengthPenalty, $"'{nameof(lengthPenalty)}' (GNMT's α) must be 0 or positive; received {lengthPenalty}.");
        var (maxLength, encoded) = Encode(sourceIds);
        var k = beamSize;
        var rows = _beamRows = Rows.Ensure(_beamRows, k, encoded, this);
        rows.Start(Options.StartId, encoded);
        var outputs = RunStep(rows);   // the first step; V is known after it
        var v = VocabularySize;
        var b = _beam = BeamBuffers.Ensure(_beam, k, v, maxLength, nBest);
        b.Start();
        var bestPossibleDivisor = Hypothesis.LengthPenalty(maxLength, lengthPenalty);
        for (var t = 1; ; t++)
        {
            if (t > 1) outputs = RunStep(rows);
            // logProbs [K, V] = log-softmax of logits [K, (1,) V]
            _kernels.LogSoftMax(outputs[0].Span, k, v, b.LogProbs);
            b.SelectCandidates(k, v);
            var last = t == maxLength;
            var live = 0;
            for (var r = 0; r < b.CandidateCount; r++)
            {
                ref var c = ref b.Candidates[r];
                if (c.Token == Options.EndId || last)
                {
                    if (r < k) b.OfferEnded(new Ended(t, c.Parent, c.Token, c.Token == Options.EndId, c.LogProbability, c.LogProbability / Hypothesis.LengthPenalty(t, lengthPenalty)));
                }
                else if (live < k)
                {
                    b.Next[live++] = c;
                }
            }
            if (last || live == 0) break;
            // Candidates are sorted, so Next[0] is the best live prefix.
            if (b.EndedCount == nBest && b.Next[0].LogProbability / bestPossibleDivisor <= b.EndedHypotheses[nBest - 1].Score) break;
            var token = rows.Token.Span;
            for (var j = 0; j < k; j++)
            {
                if (j < live)
                {
                    ref var c = ref b.Next[j];
                    b.HistoryToken[(t - 1) * k + j] = c.Token;
                    b.HistoryParent[(t - 1) * k + j] = c.Parent;
                    b.Scores[j] = c.LogProbability;
                    token[j] = c.Token;
                    for (var s = 0; s < rows.States.Length; s++)
                    {
                        var width = rows.States[s].Length / k;
                        outputs[1 + s].Span.Slice(c.Parent * width, width).CopyTo(rows.States[s].Span.Slice(j * width, width));
                    }
                }
                else
                {
                    b.Scores[j] = double.NegativeInfinity;   // a dead row: run, never chosen; its stale state is harmless
                    token[j] = Options.StartId;
                }
            }
        }
        var results = new Hypothesis[b.EndedCount];
        for (var i = 0; i < results.Length; i++) results[i] = b.ToHypothesis(b.EndedHypotheses[i], k);
        return results;
    }

    /// <summary>A continuation: parent beam, token and the prefix's log-probability with it.</summary>
    record struct Candidate(int Parent, int Token, double LogProbability);

    /// <summary>An ended hypothesis: the step it ended at, its parent beam at the step before, its last token.</summary>
    record struct Ended(int Step, int Parent, int Token, bool Finished, double LogProbability, double Score);

    /// <summary>Everything a beam search keeps between steps, sized by K, V, the step limit and n-best; reused between calls.</summary>
    sealed class BeamBuffers
    {
        BeamBuffers(int k, int v, int maxLength, int nBest)
        {
            (K, V, MaxLength) = (k, v, maxLength);
            LogProbs = new float[k * v];
            Scores = new double[k];
            Candidates = new Candidate[2 * k];
            Next = new Candidate[k];
            HistoryToken = new int[maxLength * k];
            HistoryParent = new int[maxLength * k];
            EndedHypotheses = new Ended[nBest];
        }

        public int K { get; }
        public int V { get; }
        public int MaxLength { get; }
        public float[] LogProbs { get; }           // [K, V]
        public double[] Scores { get; }            // [K] log-probability of each live prefix, −∞ for a dead row
        public Candidate[] Candidates { get; }     // [2K] best first
        public int CandidateCount { get; private set; }
        public Candidate[] Next { get; }           // [K] the next live prefixes, best first
        public int[] HistoryToken { get; }         // [MaxLength, K] token of live slot j after step t
        public int[] HistoryParent { get; }        // [MaxLength, K] its slot at step t − 1
        public Ended[] EndedHypotheses { get; }    // [nBest] best first
        public int EndedCount { get; private set; }

        public static BeamBuffers Ensure(BeamBuffers? buffers, int k, int v, int maxLength, int nBest) =>
            buffers is not null && buffers.K == k && buffers.V == v && buffers.MaxLength >= maxLength && buffers.EndedHypotheses.Length == nBest
                ? buffers
                : new BeamBuffers(k, v, maxLength, nBest);

        /// <summary>One live prefix (the empty one, row 0); the other rows are dead until the first step fills them.</summary>
        public void Start()
        {
            Scores.AsSpan().Fill(double.NegativeInfinity);
            Scores[0] = 0;
            EndedCount = 0;
        }

        /// <summary>The 2K best continuations of the live rows, by log-probability, then token id, then parent.</summary>
        public void SelectCandidates(int k, int v)
        {
            CandidateCount = 0;
            var capacity = Candidates.Length;
            for (var p = 0; p < k; p++)
            {
                if (double.IsNegativeInfinity(Scores[p])) continue;
                var row = LogProbs.AsSpan(p * v, v);
                for (var token = 1; token < v; token++)   // id 0 is padding, never produced
                {
                    var c = new Candidate(p, token, Scores[p] + row[token]);
                    if (CandidateCount == capacity && !Before(c, Candidates[capacity - 1])) continue;
                    if (double.IsNaN(c.LogProbability)) continue;
                    var i = CandidateCount < capacity ? CandidateCount++ : capacity - 1;
                    while (i > 0 && Before(c, Candidates[i - 1])) { Candidates[i] = Candidates[i - 1]; i--; }
                    Candidates[i] = c;
                }
            }
        }

        static bool Before(in Candidate a, in Candidate b) =>
            a.LogProbability > b.LogProbability
            || (a.LogProbability == b.LogProbability && (a.Token < b.Token || (a.Token == b.Token && a.Parent < b.Parent)));

        /// <summary>Keeps <paramref name="e"/> if it is among the n best ended so far (an equal score keeps the earlier one first).</summary>
        public void OfferEnded(Ended e)
        {
            var capacity = EndedHypotheses.Length;
            if (EndedCount == capacity && !(e.Score > EndedHypotheses[capacity - 1].Score)) return;
            var i = EndedCount < capacity ? EndedCount++ : capacity - 1;
            while (i > 0 && e.Score > EndedHypotheses[i - 1].Score) { EndedHypotheses[i] = EndedHypotheses[i - 1]; i--; }
            EndedHypotheses[i] = e;
        }

        /// <summary>Follows the parents back from an ended hypothesis to its tokens.</summary>
        public Hypothesis ToHypothesis(in Ended e, int k)
        {
            var prefix = e.Step - 1;
            var tokens = new int[prefix + (e.Finished ? 0 : 1)];
            if (!e.Finished) tokens[prefix] = e.Token;
            for (int t = prefix, slot = e.Parent; t >= 1; t--)
            {
                tokens[t - 1] = HistoryToken[(t - 1) * k + slot];
                slot = HistoryParent[(t - 1) * k + slot];
            }
            return new Hypothesis(tokens, e.Finished, e.LogProbability, e.Score);
        }
    }
}
