// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.28;

import {WardRegistry} from "./WardRegistry.sol";

/**
 * @title SortedPairMerkleProof
 * @notice Merkle inclusion proofs with sorted-pair hashing, the convention of OpenZeppelin's
 * MerkleProof library and of the JS package openzeppelin/merkle-tree (StandardMerkleTree).
 * @dev Sorting each pair makes a proof independent of left/right positions, so it is just the
 * list of sibling hashes from the leaf up to the root.
 */
library SortedPairMerkleProof {
    /// @notice Whether `proof` leads from `leaf` to `root`.
    function verify(bytes32[] calldata proof, bytes32 root, bytes32 leaf) internal pure returns (bool) {
        return processProof(proof, leaf) == root;
    }

    /// @notice The root obtained by hashing `leaf` up through every sibling in `proof`.
    function processProof(bytes32[] calldata proof, bytes32 leaf) internal pure returns (bytes32 computed) {
        computed = leaf;
        uint256 length = proof.length;
        for (uint256 i = 0; i < length; ++i) {
            computed = hashPair(computed, proof[i]);
        }
    }

    /// @notice keccak256 of the two nodes, smaller first.
    function hashPair(bytes32 a, bytes32 b) internal pure returns (bytes32) {
        return a < b ? keccak256(abi.encodePacked(a, b)) : keccak256(abi.encodePacked(b, a));
    }
}

/**
 * @title RecordAnchors
 * @notice Anchors batches of clinical records by the Merkle root of their leaves.
 * @dev Leaves are built off-chain from salted commitments (never plaintext or unsalted hashes) and
 * double-hashed as StandardMerkleTree does: keccak256(bytes.concat(keccak256(abi.encode(...)))).
 * Only roots go on chain; each record keeps its own proof off-chain.
 */
contract RecordAnchors {
    /// @notice Where and when a root was anchored. All zero when the root is unknown.
    struct Anchor {
        /// 1-based sequence number; 0 means "not anchored".
        uint256 batchId;
        address submitter;
        uint64 timestamp;
        uint64 blockNumber;
        uint32 leafCount;
    }

    /// @notice The caller is not an Approved Doctor, Nurse or ITAdmin, nor an anchoring station.
    error NotAuthorised(address caller);
    /// @notice Only an Approved ITAdmin may change the anchoring stations.
    error NotITAdmin(address caller);
    /// @notice The root is zero or the batch has no leaves.
    error EmptyBatch();
    /// @notice The root was anchored before.
    error AlreadyAnchored(bytes32 root);
    /// @notice No batch with that id.
    error UnknownBatch(uint256 batchId);

    /// @notice An IT admin allowed `station` (a ward workstation's machine key) to anchor batches.
    event StationAdded(address indexed station, address indexed by);
    /// @notice An IT admin withdrew `station`'s right to anchor.
    event StationRemoved(address indexed station, address indexed by);
    /// @notice A batch root was anchored.
    event BatchAnchored(uint256 indexed batchId, bytes32 indexed root, address indexed submitter, uint32 leafCount);

    /// @notice The membership registry consulted for every anchor.
    WardRegistry public immutable wardRegistry;

    mapping(bytes32 root => Anchor) private _anchors;
    /// Workstation machine keys that submit anchors; authorship is proven by EIP-712 signatures
    /// in the leaves' records, so a station can only timestamp, never author or read.
    mapping(address station => bool) public isStation;
    bytes32[] private _roots;

    /// @param registry The ward's WardRegistry.
    constructor(address registry) {
        wardRegistry = WardRegistry(registry);
    }

    /**
     * @notice Allows a workstation's machine key to anchor batches (unattended device ingest,
     * group commit of many authors' records in one transaction).
     * @dev Only an Approved ITAdmin.
     * @param station The station's address.
     */
    function addStation(address station) external {
        if (!wardRegistry.hasRole(msg.sender, WardRegistry.Role.ITAdmin)) revert NotITAdmin(msg.sender);
        isStation[station] = true;
        emit StationAdded(station, msg.sender);
    }

    /**
     * @notice Withdraws a station's right to anchor.
     * @dev Only an Approved ITAdmin.
     * @param station The station's address.
     */
    function removeStation(address station) external {
        if (!wardRegistry.hasRole(msg.sender, WardRegistry.Role.ITAdmin)) revert NotITAdmin(msg.sender);
        isStation[station] = false;
        emit StationRemoved(station, msg.sender);
    }

    /**
     * @notice Anchors the Merkle root of a batch of record leaves.
     * @dev Only an Approved Doctor, Nurse or ITAdmin (the ward's writing roles), or a station.
     * @param root Merkle root of the batch (not zero).
     * @param leafCount Number of leaves under the root (not zero).
     * @return batchId The 1-based id of the new batch.
     */
    function anchorBatch(bytes32 root, uint32 leafCount) external returns (uint256 batchId) {
        WardRegistry.Role role = wardRegistry.approvedRole(msg.sender);
        if (!isStation[msg.sender] && role != WardRegistry.Role.Doctor && role != WardRegistry.Role.Nurse && role != WardRegistry.Role.ITAdmin) {
            revert NotAuthorised(msg.sender);
        }
        if (root == bytes32(0) || leafCount == 0) revert EmptyBatch();
        if (_anchors[root].batchId != 0) revert AlreadyAnchored(root);

        _roots.push(root);
        batchId = _roots.length;
        _anchors[root] = Anchor({
            batchId: batchId,
            submitter: msg.sender,
            timestamp: uint64(block.timestamp),
            blockNumber: uint64(block.number),
            leafCount: leafCount
        });
        emit BatchAnchored(batchId, root, msg.sender, leafCount);
    }

    /**
     * @notice Where and when `root` was anchored.
     * @param root A batch root.
     * @return The anchor, all zero when `root` was never anchored.
     */
    function anchorOf(bytes32 root) external view returns (Anchor memory) {
        return _anchors[root];
    }

    /**
     * @notice Number of batches anchored so far (also the latest batchId).
     * @return The count.
     */
    function batchCount() external view returns (uint256) {
        return _roots.length;
    }

    /**
     * @notice The root anchored as batch `batchId`.
     * @param batchId A 1-based batch id, at most batchCount().
     * @return The root.
     */
    function rootOf(uint256 batchId) external view returns (bytes32) {
        if (batchId == 0 || batchId > _roots.length) revert UnknownBatch(batchId);
        return _roots[batchId - 1];
    }

    /**
     * @notice Whether `leaf` is included under an anchored `root`.
     * @dev `leaf` must be the double-hashed leaf computed by the verifier from the record's own
     * values. Never accept a leaf hash from an untrusted party: an inner node of the tree with a
     * shortened proof would also verify.
     * @param root An anchored batch root.
     * @param proof Sibling hashes from the leaf up to the root (sorted-pair convention).
     * @param leaf The double-hashed leaf.
     * @return True iff `root` is anchored and `proof` reconstructs it from `leaf`.
     */
    function verifyLeaf(bytes32 root, bytes32[] calldata proof, bytes32 leaf) external view returns (bool) {
        return _anchors[root].batchId != 0 && SortedPairMerkleProof.verify(proof, root, leaf);
    }
}
