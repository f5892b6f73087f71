/// Splitting a mixture (`data mix`) per source file, so that each file keeps its proportions in
/// every part and the loaded file's parts are exactly those the same split gives without a
/// mixture (validation stays comparable with an unmixed run).
extension DatasetSplitter {
    /// Each source of `dataset` split on its own with these ratios and seed (stratified by label
    /// when `stratify(part)` says so for that source's examples); the parts joined, indices into
    /// `dataset`, ascending. Also returns each source's own split (indices into its examples).
    public func splitPerSource(_ dataset: Dataset, stratify: (Dataset) -> Bool) throws -> (split: DatasetSplit, bySource: [DatasetSplit]) {
        var joined = DatasetSplit(train: [], validation: [], test: [], seed: seed, stratified: false, crossingDuplicates: 0, labelCounts: [:])
        var bySource = [DatasetSplit]()
        for source in 0..<dataset.sourceCount {
            let indices = dataset.indices(ofSource: source)
            guard !indices.isEmpty else { continue }
            let part = dataset.sourceSubset(source)
            var splitter = self
            splitter.stratify = stratify(part)
            let split = try splitter.split(part)
            bySource.append(split)
            joined.train += split.train.map { indices[$0] }
            joined.validation += split.validation.map { indices[$0] }
            joined.test += split.test.map { indices[$0] }
            joined.stratified = joined.stratified || split.stratified
            joined.crossingDuplicates += split.crossingDuplicates
            for (name, counts) in split.labelCounts {
                for (label, count) in counts { joined.labelCounts[name, default: [:]][label, default: 0] += count }
            }
        }
        joined.train.sort(); joined.validation.sort(); joined.test.sort()
        return (joined, bySource)
    }
}
